using System.Diagnostics.Metrics;

namespace Skein.Cluster.Membership;

/// <summary>Membership figures for dashboards and alerts, on the meter <c>Skein.Cluster.Membership</c>.</summary>
internal sealed class MembershipMetrics : IDisposable
{
    public const string MeterName = "Skein.Cluster.Membership";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _joins;
    private readonly Counter<long> _losses;
    private readonly Counter<long> _departures;

    public MembershipMetrics(IMeterFactory? meterFactory, Func<int> aliveCount)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _joins = _meter.CreateCounter<long>("skein.cluster.node.joins", description: "Nodes registered, counting re-registrations.");
        _losses = _meter.CreateCounter<long>("skein.cluster.node.losses", description: "Nodes declared lost: missed heartbeats or a broken session.");
        _departures = _meter.CreateCounter<long>("skein.cluster.node.departures", description: "Nodes that left cleanly.");
        _meter.CreateObservableGauge("skein.cluster.nodes.alive", aliveCount, description: "Nodes alive now.");
    }

    public void Joined() => _joins.Add(1);

    public void Lost() => _losses.Add(1);

    public void Left() => _departures.Add(1);

    public void Dispose()
    {
        if (_ownsMeter) _meter.Dispose(); // a factory's meters are the factory's to dispose
    }
}
