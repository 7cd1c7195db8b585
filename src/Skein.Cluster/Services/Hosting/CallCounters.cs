using System.Diagnostics.Metrics;
using Skein.Cluster.Services.Transport;

namespace Skein.Cluster.Services.Hosting;

/// <summary>
/// How a node serves the calls on its call streams, on the meter <c>Skein.Cluster.Calls</c>: where requests were
/// served (on the stream's reader, or on the thread pool for a handler judged blocking) and how many envelopes the
/// frames in each direction carried. Each figure is tagged with the node's name.
/// </summary>
internal sealed class CallCounters : IDisposable
{
    public const string MeterName = "Skein.Cluster.Calls";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private long _onReader;
    private long _onThreadPool;

    public CallCounters(string node, IMeterFactory? meterFactory)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        var tag = new KeyValuePair<string, object?>("skein.node", node);
        _meter.CreateObservableCounter("skein.calls.served",
            () => new[] { new Measurement<long>(OnReader, tag, new("skein.path", "reader")), new Measurement<long>(OnThreadPool, tag, new("skein.path", "thread_pool")) },
            description: "Requests served, by where their handler started: on the call stream's reader, or on the thread pool (a handler judged blocking).");
        _meter.CreateObservableCounter("skein.calls.frames.received", () => new Measurement<long>(Received.Frames, tag), description: "Frames read from call streams.");
        _meter.CreateObservableCounter("skein.calls.envelopes.received", () => new Measurement<long>(Received.Envelopes, tag), description: "Envelopes in the frames read.");
        _meter.CreateObservableCounter("skein.calls.frames.sent", () => new Measurement<long>(Sent.Frames, tag), description: "Frames written to call streams.");
        _meter.CreateObservableCounter("skein.calls.envelopes.sent", () => new Measurement<long>(Sent.Envelopes, tag), description: "Envelopes in the frames written.");
    }

    /// <summary>Frames (and their envelopes) written to clients.</summary>
    public FrameCounter Sent { get; } = new();

    /// <summary>Frames (and their envelopes) read from clients.</summary>
    public FrameCounter Received { get; } = new();

    public long OnReader => Interlocked.Read(ref _onReader);

    public long OnThreadPool => Interlocked.Read(ref _onThreadPool);

    public void ServedOnReader() => Interlocked.Increment(ref _onReader);

    public void ServedOnThreadPool() => Interlocked.Increment(ref _onThreadPool);

    public void Dispose()
    {
        if (_ownsMeter) _meter.Dispose(); // a factory's meters are the factory's to dispose
    }
}
