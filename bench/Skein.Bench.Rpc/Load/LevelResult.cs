namespace Skein.Bench.Rpc.Load;

/// <summary>What one target did at one concurrency level during the measured window.</summary>
public sealed record LevelResult(int Callers, long Calls, TimeSpan Duration, double P50Microseconds, double P99Microseconds, double MaxMicroseconds)
{
    public double CallsPerSecond => Calls / Duration.TotalSeconds;

    /// <summary>Bytes the calling process allocated during the window, per call made in it (every caller's last call included).</summary>
    public double ClientBytesPerCall { get; init; } = double.NaN;

    /// <summary>The same for the server's process, when the target can say (NaN otherwise).</summary>
    public double ServerBytesPerCall { get; init; } = double.NaN;
}
