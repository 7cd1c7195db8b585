using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Skein.Engine.Tests.Support;

/// <summary>
/// A fake clock that tells when a timer is set and for how long, so a test advances time only once the timer it
/// means to fire exists (advancing before would leave the timer waiting for the next advance).
/// </summary>
internal sealed class ObservedTimeProvider : TimeProvider
{
    private readonly Channel<TimeSpan> _timers = Channel.CreateUnbounded<TimeSpan>();

    public FakeTimeProvider Fake { get; } = new();

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();
    public override long GetTimestamp() => Fake.GetTimestamp();
    public override long TimestampFrequency => Fake.TimestampFrequency;
    public override TimeZoneInfo LocalTimeZone => Fake.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = Fake.CreateTimer(callback, state, dueTime, period);
        _timers.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>Waits until a timer due after <paramref name="dueTime"/> has been set (Task.Delay rounds it to whole milliseconds).</summary>
    public async Task TimerSetAsync(TimeSpan dueTime)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(Runs.Patience);
        var seen = new List<TimeSpan>();
        try
        {
            while (await _timers.Reader.ReadAsync(cts.Token) is var set && (set - dueTime).Duration() >= TimeSpan.FromMilliseconds(1)) seen.Add(set);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no timer due after {dueTime} was set; timers set: {string.Join(", ", seen)}");
        }
    }

    public void Advance(TimeSpan by) => Fake.Advance(by);
}
