using Skein.Shared.Text;

namespace Skein.Shared.Artifacts;

/// <summary>
/// How many bytes of artifacts one run may store (the distinct content in its store), and how many it holds:
/// bytes are reserved as they are written, so concurrent tasks never together pass the limit.
/// </summary>
internal sealed class ArtifactBudget(long limit, long used)
{
    /// <summary>The default per run: 1 GiB.</summary>
    public const long DefaultLimit = 1L << 30;

    private long _used = used;

    public long Limit { get; } = limit;

    public long Used => Interlocked.Read(ref _used);

    public bool TryReserve(long bytes)
    {
        while (true)
        {
            var used = Interlocked.Read(ref _used);
            if (used + bytes > Limit) return false;
            if (Interlocked.CompareExchange(ref _used, used + bytes, used) == used) return true;
        }
    }

    public void Release(long bytes) => Interlocked.Add(ref _used, -bytes);

    /// <summary>"artifact 'big.bin' of task 'pack' (2 GiB) would take the run's artifacts past their limit of 1 GiB (…already stored)".</summary>
    public static string OverLimit(string taskId, string path, long size, long limit, long used) =>
        $"artifact '{path}' of task '{taskId}' ({ByteSize.Format(size)}) would take the run's artifacts past their limit of {ByteSize.Format(limit)} " +
        $"({ByteSize.Format(Math.Max(used, 0))} already stored); raise it with 'limits: {{ artifacts: SIZE }}' in the job file";
}

/// <summary>An artifact that does not fit the run's limit; its message names the task, the file and the limit.</summary>
internal sealed class ArtifactLimitException(string message) : Exception(message);
