using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Skein.Bench.Rpc.Reporting;

/// <summary>
/// With SKEIN_BENCH_ALLOCATION_TYPES=1 in the environment: samples the calling process's allocations by type (the
/// runtime's allocation tick, about one event per 100 KB allocated) and prints the types that took most of them after
/// each measured window, on stderr — where the bytes per call of the client go. Off by default: it costs a little.
/// </summary>
public sealed class AllocationSampler : EventListener
{
    public const string Variable = "SKEIN_BENCH_ALLOCATION_TYPES";

    private readonly ConcurrentDictionary<string, long> _bytes = new(StringComparer.Ordinal);
    private volatile bool _recording;

    public static AllocationSampler? StartIfAsked() => Environment.GetEnvironmentVariable(Variable) == "1" ? new AllocationSampler() : null;

    protected override void OnEventSourceCreated(EventSource source)
    {
        // The GC keyword at verbose level carries GCAllocationTick (about every 100 KB, with the type that crossed it).
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);
    }

    protected override void OnEventWritten(EventWrittenEventArgs data)
    {
        if (!_recording || data.EventName is null || !data.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || data.Payload is null) return;
        var names = data.PayloadNames!;
        var type = names.IndexOf("TypeName") is var t and >= 0 ? data.Payload[t] as string ?? "?" : "?";
        var amount = names.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(data.Payload[a]) : 100_000;
        _bytes.AddOrUpdate(type, amount, (_, sum) => sum + amount);
    }

    public void Begin()
    {
        _bytes.Clear();
        _recording = true;
    }

    public void End(string label, TextWriter output, int top = 15)
    {
        _recording = false;
        var total = _bytes.Values.Sum();
        if (total == 0) return;
        output.WriteLine($"{label}: allocations by type, sampled (share of {total / 1024:N0} KB sampled):");
        foreach (var (type, bytes) in _bytes.OrderByDescending(p => p.Value).Take(top))
            output.WriteLine($"  {100.0 * bytes / total,5:0.0} %  {type}");
    }
}
