using System.Diagnostics.Metrics;
using System.Globalization;

namespace Skein.Bench.Rpc.Skein;

/// <summary>
/// In the <c>serve-skein</c> child: reads the node's meter <c>Skein.Cluster.Calls</c> (where requests were served, the
/// frames each way and the envelopes in them) and answers the parent's <c>counters</c> line with their totals.
/// </summary>
internal sealed class NodeCounters : IDisposable
{
    public const string Command = "counters";
    private const string MeterName = "Skein.Cluster.Calls";

    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, long> _totals = new(StringComparer.Ordinal);

    public NodeCounters()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MeterName) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var key = instrument.Name;
            foreach (var tag in tags)
                if (tag.Key == "skein.path") key += "." + tag.Value;
            _totals[key] = _totals.GetValueOrDefault(key) + value;
        });
        _listener.Start();
    }

    /// <summary>
    /// The answer line: <c>counters reader=N thread_pool=N frames_in=N envelopes_in=N frames_out=N envelopes_out=N
    /// cpu_us=N allocated=N</c> — the last two for the whole server process (node and coordinator), CPU time in
    /// microseconds and bytes allocated, so that a level's share per call can be told whatever the machine's load.
    /// </summary>
    public string Line()
    {
        lock (_totals)
        {
            _totals.Clear();
            _listener.RecordObservableInstruments();
            return string.Create(CultureInfo.InvariantCulture,
                $"{Command} reader={Get("skein.calls.served.reader")} thread_pool={Get("skein.calls.served.thread_pool")} " +
                $"frames_in={Get("skein.calls.frames.received")} envelopes_in={Get("skein.calls.envelopes.received")} " +
                $"frames_out={Get("skein.calls.frames.sent")} envelopes_out={Get("skein.calls.envelopes.sent")} " +
                $"cpu_us={(long)Environment.CpuUsage.TotalTime.TotalMicroseconds} allocated={GC.GetTotalAllocatedBytes()}");
        }
    }

    private long Get(string key) => _totals.GetValueOrDefault(key);

    public void Dispose() => _listener.Dispose();
}
