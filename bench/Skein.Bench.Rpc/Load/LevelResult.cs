namespace Skein.Bench.Rpc.Load;

/// <summary>What one target did at one concurrency level during the measured window.</summary>
public sealed record LevelResult(int Callers, long Calls, TimeSpan Duration, double P50Microseconds, double P99Microseconds, double MaxMicroseconds)
{
    public double CallsPerSecond => Calls / Duration.TotalSeconds;
}
