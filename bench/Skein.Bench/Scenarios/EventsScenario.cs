using Skein.Bench.Reporting;
using Skein.Cluster;
using Skein.Cluster.Events;
using Skein.Cluster.Addressing;
using Skein.Cluster.Configuration;

namespace Skein.Bench.Scenarios;

/// <summary>
/// Events through the coordinator's bus over gRPC on loopback: one publisher streaming 16-byte
/// events as fast as it can, to one subscriber and then to ten, each subscriber on its own
/// connection. The coordinator runs in this process, but every event crosses gRPC twice.
/// </summary>
internal sealed class EventsScenario : Scenario
{
    public const double RateGoal = 300_000;
    private const int PayloadBytes = 16;
    private const int SingleEvents = 500_000;
    private const int FanEvents = 100_000;
    private const int FanSubscribers = 10;
    // Large enough that a subscriber briefly descheduled on a busy machine does not lose events; drops are still reported.
    private const int SubscriberBuffer = 65_536;
    private const string Tick = "bench.tick";
    private const string End = "bench.end";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan EndRepeat = TimeSpan.FromMilliseconds(20);

    public override string Name => "events";

    public override string Description =>
        $"{Format.Count(SingleEvents)} {PayloadBytes}-byte events over gRPC to 1 subscriber, {Format.Count(FanEvents)} to {FanSubscribers}";

    public override async Task<IReadOnlyList<ResultRow>> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var options = new CoordinatorOptions { Listen = "127.0.0.1:0", StateDirectory = Path.Combine(settings.StateDirectory, "events") };
        await using var coordinator = await Coordinator.StartAsync(options, cancellationToken: cancellationToken);
        var token = ClusterToken.Read(coordinator.TokenPath);
        await using var publisher = new ClusterEvents(coordinator.Address, token);

        Task<EventsSample> Once(int subscribers, int events) => RunOnceAsync(coordinator.Address, token, publisher, subscribers, events, cancellationToken);
        await Measure.WarmUpAsync(() => Once(1, 50_000));
        var repetitions = Math.Min(settings.Repetitions, 3);
        var single = await Measure.RepeatAsync(repetitions, () => Once(1, SingleEvents));
        var fan = await Measure.RepeatAsync(repetitions, () => Once(FanSubscribers, FanEvents));

        var s = Measure.Median(single);
        var f = Measure.Median(fan);
        var singleRate = s.Delivered / s.Elapsed.TotalSeconds;
        var fanRate = f.Delivered / f.Elapsed.TotalSeconds;
        return
        [
            new ResultRow(Name, $"1 subscriber, {Format.Count(SingleEvents)} events", Events(singleRate))
            {
                Time = Format.Duration(s.Elapsed),
                Goal = $"≥ {Format.Count((long)RateGoal)} events/s",
                Met = singleRate >= RateGoal,
                Note = $"{Measure.Spread(single, SingleEvents)}; {Notes(s, SingleEvents)}",
            },
            new ResultRow(Name, $"{FanSubscribers} subscribers, {Format.Count(FanEvents)} events, all deliveries", Events(fanRate))
            {
                Time = Format.Duration(f.Elapsed),
                Note = $"{Measure.Spread(fan, FanEvents * (long)FanSubscribers)}; {Notes(f, FanEvents)}",
            },
            new ResultRow(Name, $"{FanSubscribers} subscribers, per subscriber", Events(fanRate / FanSubscribers)),
        ];
    }

    private static string Events(double perSecond) => Format.Number(perSecond, "N0") + " events/s";

    private static string Notes(EventsSample sample, int events) =>
        $"published (queued and acknowledged) at {Events(events / sample.PublishTime.TotalSeconds)}; "
        + $"{Format.Count(sample.Dropped)} dropped; "
        + $"{Format.Number((double)sample.AllocatedBytes / events, "0")} B allocated/event and "
        + $"{Format.Number(sample.Cpu.TotalMicroseconds / events, "0.00")} µs CPU/event (publisher, coordinator and subscribers together, all threads)";

    private static async Task<EventsSample> RunOnceAsync(Uri address, string token, ClusterEvents publisher, int subscribers, int events, CancellationToken ct)
    {
        var connections = new ClusterEvents[subscribers];
        var readers = new Task<(long Received, long Dropped)>[subscribers];
        var live = new Task[subscribers];
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        try
        {
            for (var i = 0; i < subscribers; i++)
            {
                connections[i] = new ClusterEvents(address, token);
                var subscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                live[i] = subscribed.Task;
                readers[i] = ReadAsync(connections[i], () => subscribed.TrySetResult(), stop.Token);
            }
            await Task.WhenAll(live).WaitAsync(Patience, ct);

            var payload = new byte[PayloadBytes];
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var cpuBefore = Environment.CpuUsage.TotalTime;
            var start = Measure.Timestamp();
            for (var i = 0; i < events; i++)
            {
                var queued = publisher.PublishAsync(Tick, payload, EventContentTypes.Binary, ct);
                if (!queued.IsCompletedSuccessfully) await queued;
            }
            await publisher.FlushAsync(ct);
            var publishTime = Measure.Since(start);
            // A subscriber that fell behind may drop the end marker with the rest, so it is repeated until every one has seen it.
            var finished = Task.WhenAll(readers);
            var deadline = Measure.Timestamp();
            while (!finished.IsCompleted)
            {
                if (Measure.Since(deadline) > Patience) throw new TimeoutException("the subscribers did not see the end of the events in time");
                await publisher.PublishAsync(End, payload, EventContentTypes.Binary, ct);
                await publisher.FlushAsync(ct);
                await Task.WhenAny(finished, Task.Delay(EndRepeat, ct));
            }
            var results = await finished;
            var elapsed = Measure.Since(start);
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            var cpu = Environment.CpuUsage.TotalTime - cpuBefore;

            long received = 0, dropped = 0;
            foreach (var (r, d) in results)
            {
                received += r;
                dropped += d;
            }
            return new EventsSample(elapsed, publishTime, received, dropped, allocated, cpu);
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var connection in connections)
                if (connection is not null) await connection.DisposeAsync();
        }
    }

    private static async Task<(long Received, long Dropped)> ReadAsync(ClusterEvents events, Action subscribed, CancellationToken ct)
    {
        long received = 0;
        var options = new ClusterSubscribeOptions { BufferCapacity = SubscriberBuffer, Subscribed = subscribed };
        await foreach (var evt in events.SubscribeAsync("bench.>", options, ct).ConfigureAwait(false))
        {
            if (evt.Subject.Length == End.Length && evt.Subject == End) return (received, evt.Dropped);
            received++;
        }
        throw new InvalidOperationException("the subscription ended before the last event");
    }

    private sealed record EventsSample(TimeSpan Elapsed, TimeSpan PublishTime, long Delivered, long Dropped, long AllocatedBytes, TimeSpan Cpu) : ISample;
}
