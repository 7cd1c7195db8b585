namespace Skein.Modules.Lifecycle.Internal;

/// <summary>The restarts that happened inside the last <c>within</c>: a sliding window, not fixed buckets, so a burst is never split in two.</summary>
internal sealed class RestartWindow(TimeSpan within)
{
    private readonly Queue<DateTimeOffset> _restarts = new();

    public TimeSpan Within { get; } = within;

    /// <summary>How many restarts happened in the window ending at <paramref name="now"/>.</summary>
    public int CountAt(DateTimeOffset now)
    {
        while (_restarts.TryPeek(out var oldest) && now - oldest >= Within) _restarts.Dequeue();
        return _restarts.Count;
    }

    public void Record(DateTimeOffset at) => _restarts.Enqueue(at);
}
