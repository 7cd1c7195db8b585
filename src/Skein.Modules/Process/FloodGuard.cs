namespace Skein.Modules.Process;

/// <summary>
/// Counts the frames a module writes without being asked (logs, events, answers nobody waits for) in one-second
/// windows, and says when a window goes over its frame or byte budget. Answers to the node's own requests are not
/// counted: their number is bounded by the calls the node sends.
/// </summary>
/// <remarks>Fixed windows rather than a sliding one: a flood is orders of magnitude over the budget, so the
/// doubled burst a window boundary allows cannot hide one, and counting stays two additions per frame.</remarks>
internal sealed class FloodGuard(int maxFrames, long maxBytes, TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);
    private long _windowStart = time.GetTimestamp();
    private int _frames;
    private long _bytes;

    /// <summary>Counts one frame of <paramref name="bytes"/>; returns what the module did when it is over budget, else null.</summary>
    /// <remarks>Called by the module's one reader only, so it needs no lock.</remarks>
    public string? Count(long bytes)
    {
        var now = time.GetTimestamp();
        if (time.GetElapsedTime(_windowStart, now) >= Window)
        {
            _windowStart = now;
            _frames = 0;
            _bytes = 0;
        }
        _frames++;
        _bytes += bytes;
        if (_frames > maxFrames)
            return $"flooded stdout: more than {maxFrames} frames it was not asked for (log, event or unknown answers) within 1 s";
        if (_bytes > maxBytes)
            return $"flooded stdout: {_bytes} bytes of frames it was not asked for (log, event or unknown answers) within 1 s, over the limit of {maxBytes}";
        return null;
    }
}
