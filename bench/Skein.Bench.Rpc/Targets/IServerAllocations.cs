namespace Skein.Bench.Rpc.Targets;

/// <summary>A deployment whose server runs in a child process that can say how many bytes it has allocated so far.</summary>
public interface IServerAllocations
{
    /// <summary>The server process's <see cref="GC.GetTotalAllocatedBytes(bool)"/> (precise), asked now.</summary>
    Task<long> ServerAllocatedBytesAsync(CancellationToken cancellationToken);
}
