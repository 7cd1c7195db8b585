using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using Skein.Modules.Lifecycle;

namespace Skein.Cluster.Tests.Modules.Lifecycle;

/// <summary>
/// The supervisor against fake modules and a fake clock: backoffs and the restart window pass by
/// <see cref="FakeTimeProvider.Advance"/>, so every test is instant and nothing depends on the machine's speed.
/// The restart delays go through Polly, whose jitter is pinned to none here (the jitter has its own tests); a test
/// advances the clock only once the restart's timer exists, so it never depends on when the supervisor makes it.
/// </summary>
public sealed class ModuleSupervisorTests : IAsyncDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Timeout = TestPatience.Ceiling;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);
    private readonly WatchedTime _time = new(Start);
    private readonly List<ModuleSupervisor> _supervisors = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public enum Ending { CleanExit, ExitCode, Exception }

    /// <summary>Polly's randomizer value at which its jitter moves a delay neither way.</summary>
    private const double NoJitter = 0.5;

    /// <summary>Fake time that reports each timer made, with its due time.</summary>
    private sealed class WatchedTime(DateTimeOffset start) : FakeTimeProvider(start)
    {
        private readonly Channel<TimeSpan> _timers = Channel.CreateUnbounded<TimeSpan>();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            _timers.Writer.TryWrite(dueTime);
            return timer;
        }

        /// <summary>
        /// Returns once the timer of a wait of <paramref name="delay"/> exists (other timers are passed over). Task.Delay
        /// waits whole milliseconds, so a jittered delay's timer is due up to a millisecond sooner than the delay.
        /// </summary>
        public async Task TimerAsync(TimeSpan delay)
        {
            while (true)
            {
                var due = await _timers.Reader.ReadAsync(Ct).AsTask().WaitAsync(Timeout, Ct);
                if (due <= delay && delay - due < TimeSpan.FromMilliseconds(1)) return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var supervisor in _supervisors) await supervisor.DisposeAsync();
    }

    private sealed class Harness(ModuleSupervisor supervisor, FakeModules modules, WatchedTime time)
    {
        public ModuleSupervisor Supervisor { get; } = supervisor;
        public FakeModules Modules { get; } = modules;
        public Recorder<ModuleStateChangedEventArgs> States { get; } = new();
        public Recorder<ModuleCrashedEventArgs> Crashes { get; } = new();
        public Recorder<ModuleGaveUpEventArgs> GaveUp { get; } = new();
        public Recorder<ModuleGaveUpEventArgs> FailNode { get; } = new();

        public Task ActiveAsync() => Supervisor.WhenActiveAsync(Ct).WaitAsync(Timeout, Ct);

        public Task EndedAsync() => Supervisor.Completion.WaitAsync(Timeout, Ct);

        /// <summary>The next crash, returned once the timer of its restart exists.</summary>
        public async Task<ModuleCrashedEventArgs> CrashedAsync()
        {
            var crash = await Crashes.NextAsync();
            if (crash.RestartDelay is { } delay && delay > TimeSpan.Zero) await time.TimerAsync(delay);
            return crash;
        }
    }

    private Harness Supervise(RestartPolicy? policy = null, ModuleFailureAction onFailure = ModuleFailureAction.Withdraw, Func<int, FakeModule>? make = null, Func<double>? jitter = null)
    {
        var modules = new FakeModules(make);
        var options = new ModuleSupervisorOptions { Restart = policy ?? RestartPolicy.Default, OnFailure = onFailure };
        var supervisor = new ModuleSupervisor("stats", modules.Create, options, _time) { JitterRandomizer = jitter ?? (() => NoJitter) };
        _supervisors.Add(supervisor);
        var harness = new Harness(supervisor, modules, _time);
        supervisor.Lifecycle.StateChanged += harness.States.Add;
        supervisor.Crashed += harness.Crashes.Add;
        supervisor.GaveUp += harness.GaveUp.Add;
        supervisor.FailNodeRequested += harness.FailNode.Add;
        return harness;
    }

    private static void End(FakeModule run, Ending ending)
    {
        switch (ending)
        {
            case Ending.CleanExit: run.Exit(0); break;
            case Ending.ExitCode: run.Exit(3); break;
            default: run.Crash(new InvalidOperationException("boom")); break;
        }
    }

    [Fact]
    public async Task Start_returns_once_the_module_is_active_and_each_state_is_reported()
    {
        var h = Supervise();

        await h.Supervisor.StartAsync(Ct).WaitAsync(Timeout, Ct);

        Assert.Equal(ModuleState.Active, h.Supervisor.State);
        Assert.Equal(
            [(ModuleState.Created, ModuleState.Initializing), (ModuleState.Initializing, ModuleState.Ready), (ModuleState.Ready, ModuleState.Active)],
            h.States.All.Select(c => (c.From, c.To)));
        Assert.Equal(new ModuleStatus("stats", ModuleState.Active, Start, 0, null), h.Supervisor.GetStatus());
    }

    [Theory]
    [InlineData(RestartMode.Permanent, Ending.CleanExit, true)]
    [InlineData(RestartMode.Permanent, Ending.ExitCode, true)]
    [InlineData(RestartMode.Permanent, Ending.Exception, true)]
    [InlineData(RestartMode.Transient, Ending.CleanExit, false)]
    [InlineData(RestartMode.Transient, Ending.ExitCode, true)]
    [InlineData(RestartMode.Transient, Ending.Exception, true)]
    [InlineData(RestartMode.Temporary, Ending.CleanExit, false)]
    [InlineData(RestartMode.Temporary, Ending.ExitCode, false)]
    [InlineData(RestartMode.Temporary, Ending.Exception, false)]
    public async Task Each_policy_restarts_after_the_exits_it_names(RestartMode mode, Ending ending, bool restarted)
    {
        var h = Supervise(new RestartPolicy { Mode = mode });
        await h.Supervisor.StartAsync(Ct).WaitAsync(Timeout, Ct);
        var first = h.Modules.Latest;

        End(first, ending);
        var ended = await h.States.NextAsync(c => c.From == ModuleState.Active);
        var abnormal = ending != Ending.CleanExit;
        Assert.Equal(abnormal ? ModuleState.Failed : ModuleState.Stopped, ended.To);

        if (restarted)
        {
            Assert.EndsWith("; restart 1 in 100ms", ended.Reason);
            await _time.TimerAsync(TimeSpan.FromMilliseconds(100));
            _time.Advance(TimeSpan.FromMilliseconds(100));
            await h.ActiveAsync();
            Assert.Equal(2, h.Modules.Count);
            Assert.Equal(1, h.Supervisor.Restarts);
            Assert.True(first.Disposed);
        }
        else
        {
            await h.EndedAsync();
            _time.Advance(TimeSpan.FromMinutes(1));
            Assert.Equal(1, h.Modules.Count);
            Assert.Equal(0, h.Supervisor.Restarts);
            Assert.Equal(abnormal ? ModuleState.Failed : ModuleState.Stopped, h.Supervisor.State);
            var error = await Assert.ThrowsAsync<ModuleUnavailableException>(() => h.Supervisor.WhenActiveAsync(Ct));
            Assert.Equal("stats", error.Module);
            Assert.StartsWith(abnormal ? "module 'stats' is failed: restart policy is" : "module 'stats' is stopped: it exited with code 0", error.Message);
            Assert.Equal(abnormal ? 1 : 0, h.GaveUp.All.Count);
        }
        Assert.Equal(abnormal ? 1 : 0, h.Crashes.All.Count);
    }

    [Theory]
    [InlineData(RestartMode.Permanent)]
    [InlineData(RestartMode.Transient)]
    [InlineData(RestartMode.Temporary)]
    public async Task A_requested_stop_is_never_restarted(RestartMode mode)
    {
        var h = Supervise(new RestartPolicy { Mode = mode });
        await h.Supervisor.StartAsync(Ct).WaitAsync(Timeout, Ct);
        var run = h.Modules.Latest;

        await h.Supervisor.StopAsync(TimeSpan.FromSeconds(2), Ct).WaitAsync(Timeout, Ct);
        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(ModuleState.Stopped, h.Supervisor.State);
        Assert.Equal(TimeSpan.FromSeconds(2), run.StopGrace);
        Assert.True(run.Disposed);
        Assert.Equal(1, h.Modules.Count);
        Assert.Empty(h.Crashes.All);
        Assert.Empty(h.GaveUp.All);
        Assert.Equal(
            [(ModuleState.Active, ModuleState.Stopping, "stop requested"), (ModuleState.Stopping, ModuleState.Stopped, "stopped on request")],
            h.States.All.Skip(3).Select(c => (c.From, c.To, c.Reason)));
        var error = await Assert.ThrowsAsync<ModuleUnavailableException>(() => h.Supervisor.WhenActiveAsync(Ct));
        Assert.Equal("module 'stats' is stopping", error.Message);
    }

    [Fact]
    public async Task The_backoff_doubles_with_each_restart_and_stops_at_its_cap()
    {
        var h = Supervise(new RestartPolicy { MaxRestarts = 10, MaxBackoff = TimeSpan.FromSeconds(1) });
        await h.Supervisor.StartAsync(Ct).WaitAsync(Timeout, Ct);
        int[] expectedMs = [100, 200, 400, 800, 1000, 1000, 1000];

        for (var i = 0; i < expectedMs.Length; i++)
        {
            h.Modules.Latest.Exit(1);
            var crash = await h.CrashedAsync();
            Assert.Equal(TimeSpan.FromMilliseconds(expectedMs[i]), crash.RestartDelay);

            // One tick short of the backoff nothing has happened yet; the last tick starts the restart.
            _time.Advance(crash.RestartDelay!.Value - Tick);
            Assert.Equal(ModuleState.Failed, h.Supervisor.State);
            Assert.Equal(i + 1, h.Modules.Count);
            _time.Advance(Tick);
            await h.ActiveAsync();
            Assert.Equal(i + 2, h.Modules.Count);
        }
        Assert.Equal(expectedMs.Length, h.Supervisor.Restarts);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public async Task Polly_jitters_each_delay_by_up_to_a_quarter_never_past_max_backoff_and_the_announced_delay_is_the_one_waited(double randomizer)
    {
        var h = Supervise(new RestartPolicy { MaxRestarts = 10, MaxBackoff = TimeSpan.FromSeconds(1) }, jitter: () => randomizer);
        await h.Supervisor.StartAsync(Ct).WaitAsync(Timeout, Ct);
        int[] stepsMs = [100, 200, 400, 800, 1000, 1000];

        for (var i = 0; i < stepsMs.Length; i++)
        {
            h.Modules.Latest.Exit(1);
            var crash = await h.CrashedAsync();
            var step = TimeSpan.FromMilliseconds(stepsMs[i]);
            // At the randomizer's ends Polly moves the delay a quarter down or up; up is capped at max-backoff.
            var expected = randomizer < NoJitter ? step * 0.75 : TimeSpan.FromTicks(Math.Min((step * 1.25).Ticks, TimeSpan.FromSeconds(1).Ticks));
            Assert.Equal(expected, crash.RestartDelay);
            Assert.EndsWith($"; restart {i + 1} in {Skein.Engine.Durations.Format(expected)}", h.States.All[^1].Reason);

            _time.Advance(expected - Tick);
            Assert.Equal(ModuleState.Failed, h.Supervisor.State);
            Assert.Equal(i + 1, h.Modules.Count);
            _time.Advance(Tick);
            await h.ActiveAsync();
        }
        Assert.Equal(stepsMs.Length, h.Supervisor.Restarts);
    }

    [Fact]
    public async Task With_a_random_jitter_the_delays_differ_and_stay_within_a_quarter_of_the_doubling()
    {
        var h = Supervise(new RestartPolicy { MaxRestarts = 20, Within = TimeSpan.FromSeconds(1), Backoff = TimeSpan.FromSeconds(10), MaxBackoff = TimeSpan.FromSeconds(10) }, jitter: Random.Shared.NextDouble);
        await h.Supervisor.StartAsync(Ct).WaitAsync(Timeout, Ct);
        var delays = new List<TimeSpan>();

        // Each wait outlasts the one-second window, so every restart is the first in its window: same step, 10 s.
        for (var i = 0; i < 12; i++)
        {
            h.Modules.Latest.Exit(1);
            var crash = await h.CrashedAsync();
            delays.Add(crash.RestartDelay!.Value);
            _time.Advance(crash.RestartDelay.Value);
            await h.ActiveAsync();
        }

        Assert.All(delays, d => Assert.InRange(d, TimeSpan.FromSeconds(7.5), TimeSpan.FromSeconds(10)));
        Assert.True(delays.Distinct().Count() > 1, $"the waits should differ (jitter): {string.Join(", ", delays)}");
    }

    [Fact]
    public async Task Past_five_restarts_in_sixty_seconds_the_module_is_failed_and_the_supervisor_says_why()
    {
        var h = Supervise();
        await h.Supervisor.StartAsync(Ct).WaitAsync(Timeout, Ct);

        for (var i = 0; i < 5; i++)
        {
            h.Modules.Latest.Exit(1);
            var crash = await h.CrashedAsync();
            _time.Advance(crash.RestartDelay!.Value);
            await h.ActiveAsync();
        }
        h.Modules.Latest.Exit(1, "Traceback: boom");
        var last = await h.Crashes.NextAsync();
        var gaveUp = await h.GaveUp.NextAsync();
        await h.EndedAsync();

        Assert.Null(last.RestartDelay);
        Assert.Equal("stats", gaveUp.Module);
        Assert.Equal(5, gaveUp.Restarts);
        Assert.Equal(TimeSpan.FromSeconds(60), gaveUp.Window);
        Assert.Equal(1, gaveUp.LastExit.ExitCode);
        Assert.Equal("5 restarts within 1m, the most allowed; last run exited with code 1; stderr: Traceback: boom", gaveUp.Reason);
        Assert.Equal(ModuleState.Failed, h.Supervisor.State);
        Assert.Equal("exited with code 1; stderr: Traceback: boom; not restarted: 5 restarts within 1m, the most allowed", h.States.All[^1].Reason);
        Assert.Equal(5, h.Supervisor.Restarts);
        Assert.Equal(6, h.Modules.Count);
        Assert.Empty(h.FailNode.All);
        var status = h.Supervisor.GetStatus();
        Assert.Equal((ModuleState.Failed, 5, "exited with code 1; stderr: Traceback: boom"), (status.State, status.Restarts, status.LastExit));
        var error = await Assert.ThrowsAsync<ModuleUnavailableException>(() => h.Supervisor.WhenActiveAsync(Ct));
        Assert.Equal($"module 'stats' is failed: {gaveUp.Reason}", error.Message);
    }

    [Fact]
    public async Task Restarts_spread_over_more_than_the_window_keep_going()
    {
        var h = Supervise();
        await h.Supervisor.StartAsync(Ct).WaitAsync(Timeout, Ct);

        for (var i = 0; i < 8; i++)
        {
            h.Modules.Latest.Exit(1);
            var crash = await h.CrashedAsync();
            Assert.NotNull(crash.RestartDelay);
            _time.Advance(crash.RestartDelay.Value);
            await h.ActiveAsync();
            _time.Advance(TimeSpan.FromSeconds(20));
        }

        Assert.Equal(8, h.Supervisor.Restarts);
        Assert.Equal(ModuleState.Active, h.Supervisor.State);
        Assert.Empty(h.GaveUp.All);
    }

    [Fact]
    public async Task A_caller_waiting_for_the_module_is_let_through_once_its_restart_completes()
    {
        var h = Supervise();
        await h.Supervisor.StartAsync(Ct).WaitAsync(Timeout, Ct);
        h.Modules.Latest.Exit(1);
        await h.CrashedAsync();

        var waiting = h.Supervisor.WhenActiveAsync(Ct);
        Assert.False(waiting.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(100));
        await waiting.WaitAsync(Timeout, Ct);

        Assert.Equal(ModuleState.Active, h.Supervisor.State);
        Assert.Equal(2, h.Modules.Count);
    }

    [Fact]
    public async Task A_caller_waiting_for_the_module_gives_up_at_its_own_deadline()
    {
        var h = Supervise();
        await h.Supervisor.StartAsync(Ct).WaitAsync(Timeout, Ct);
        h.Modules.Latest.Exit(1);
        await h.CrashedAsync();

        using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(50), _time);
        var waiting = h.Supervisor.WhenActiveAsync(deadline.Token);
        _time.Advance(TimeSpan.FromMilliseconds(50));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Timeout, Ct));
        Assert.Equal(ModuleState.Failed, h.Supervisor.State);

        // The restart goes on regardless, and the next caller gets through.
        _time.Advance(TimeSpan.FromMilliseconds(50));
        await h.ActiveAsync();
    }

    [Fact]
    public async Task Crashed_is_raised_at_once_not_after_the_backoff()
    {
        var h = Supervise(new RestartPolicy { Backoff = TimeSpan.FromSeconds(5) });
        // Awaited, not read as a field: the recorder below may hear the crash before this handler has run.
        var stateWhenRaised = new TaskCompletionSource<ModuleState>(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Supervisor.Crashed += (_, _) => stateWhenRaised.TrySetResult(h.Supervisor.State);
        await h.Supervisor.StartAsync(Ct).WaitAsync(Timeout, Ct);

        h.Modules.Latest.Exit(3, "boom");
        var crash = await h.Crashes.NextAsync();

        Assert.Equal(Start, _time.GetUtcNow());
        Assert.Equal(ModuleState.Failed, await stateWhenRaised.Task.WaitAsync(Timeout, Ct));
        Assert.Equal("stats", crash.Module);
        Assert.Equal(3, crash.Exit.ExitCode);
        Assert.Equal(TimeSpan.FromSeconds(5), crash.RestartDelay);
        Assert.Equal(Start, crash.At);
        Assert.Equal("module 'stats' crashed: exited with code 3; stderr: boom", crash.ToString());
        Assert.Equal(1, h.Modules.Count);
    }

    [Theory]
    [InlineData(ModuleFailureAction.FailNode, true)]
    [InlineData(ModuleFailureAction.Withdraw, false)]
    public async Task Fail_node_asks_the_node_to_stop_when_the_supervisor_gives_up(ModuleFailureAction onFailure, bool failsNode)
    {
        var h = Supervise(new RestartPolicy { Mode = RestartMode.Temporary }, onFailure);
        await h.Supervisor.StartAsync(Ct).WaitAsync(Timeout, Ct);

        h.Modules.Latest.Crash(new InvalidOperationException("boom"));
        var gaveUp = await h.GaveUp.NextAsync();
        await h.EndedAsync();

        Assert.Equal("restart policy is temporary; last run threw InvalidOperationException: boom", gaveUp.Reason);
        if (failsNode) Assert.Same(gaveUp, Assert.Single(h.FailNode.All));
        else Assert.Empty(h.FailNode.All);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_start_that_throws_is_a_crash_and_restarted_by_the_policy(bool inActivate)
    {
        var error = new InvalidOperationException("no config");
        var h = Supervise(make: i => i > 0 ? new FakeModule() : inActivate ? new FakeModule { ActivateThrows = error } : new FakeModule { InitializeThrows = error });

        var starting = h.Supervisor.StartAsync(Ct);
        var failed = await h.States.NextAsync(c => c.To == ModuleState.Failed);
        var crash = await h.CrashedAsync();

        Assert.Equal(inActivate ? ModuleState.Ready : ModuleState.Initializing, failed.From);
        Assert.Equal("could not start: threw InvalidOperationException: no config; restart 1 in 100ms", failed.Reason);
        Assert.Same(error, crash.Exit.Exception);
        Assert.False(starting.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(100));
        await starting.WaitAsync(Timeout, Ct);
        Assert.Equal(1, h.Supervisor.Restarts);
        Assert.True(h.Modules[0].Disposed);
    }

    [Fact]
    public async Task A_start_that_throws_under_temporary_fails_start_with_the_module_and_the_message()
    {
        var h = Supervise(new RestartPolicy { Mode = RestartMode.Temporary }, make: _ => new FakeModule { InitializeThrows = new InvalidOperationException("no config") });

        var error = await Assert.ThrowsAsync<ModuleUnavailableException>(() => h.Supervisor.StartAsync(Ct).WaitAsync(Timeout, Ct));

        Assert.Equal("module 'stats' is failed: restart policy is temporary; last run threw InvalidOperationException: no config", error.Message);
        Assert.Equal(ModuleState.Failed, h.Supervisor.State);
        Assert.Single(h.GaveUp.All);
    }

    [Fact]
    public async Task A_stop_during_the_backoff_calls_off_the_restart()
    {
        var h = Supervise();
        await h.Supervisor.StartAsync(Ct).WaitAsync(Timeout, Ct);
        h.Modules.Latest.Exit(1);
        await h.Crashes.NextAsync();
        var waiting = h.Supervisor.WhenActiveAsync(Ct);

        await h.Supervisor.StopAsync(TimeSpan.FromSeconds(1), Ct).WaitAsync(Timeout, Ct);
        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(1, h.Modules.Count);
        Assert.Equal(ModuleState.Failed, h.Supervisor.State);
        var error = await Assert.ThrowsAsync<ModuleUnavailableException>(() => waiting.WaitAsync(Timeout, Ct));
        Assert.Equal("module 'stats' is stopping", error.Message);
    }

    [Fact]
    public async Task A_stop_while_the_module_initializes_cancels_the_start_and_stops_the_run()
    {
        var h = Supervise(make: _ => new FakeModule { InitializeGate = new TaskCompletionSource() });
        var starting = h.Supervisor.StartAsync(Ct);
        await h.States.NextAsync(c => c.To == ModuleState.Initializing);
        var run = await h.Modules.First.WaitAsync(Timeout, Ct); // the state may be reported before the run is made
        await run.Initializing.Task.WaitAsync(Timeout, Ct);

        await h.Supervisor.StopAsync(TimeSpan.FromSeconds(1), Ct).WaitAsync(Timeout, Ct);

        Assert.Equal(TimeSpan.FromSeconds(1), h.Modules.Latest.StopGrace);
        Assert.Equal(
            [(ModuleState.Initializing, ModuleState.Stopping), (ModuleState.Stopping, ModuleState.Stopped)],
            h.States.All.Skip(1).Select(c => (c.From, c.To)));
        var error = await Assert.ThrowsAsync<ModuleUnavailableException>(() => starting.WaitAsync(Timeout, Ct));
        Assert.Equal("module 'stats' is stopping", error.Message);
        Assert.Empty(h.Crashes.All);
    }

    [Fact]
    public async Task A_notification_handler_that_throws_does_not_stop_the_restart()
    {
        var h = Supervise();
        h.Supervisor.Crashed += (_, _) => throw new InvalidOperationException("bad subscriber");
        await h.Supervisor.StartAsync(Ct).WaitAsync(Timeout, Ct);

        h.Modules.Latest.Exit(1);
        await h.CrashedAsync();
        _time.Advance(TimeSpan.FromMilliseconds(100));
        await h.ActiveAsync();

        Assert.Equal(1, h.Supervisor.Restarts);
    }

    [Fact]
    public async Task Max_restarts_zero_gives_up_at_the_first_crash()
    {
        var h = Supervise(new RestartPolicy { MaxRestarts = 0 });
        await h.Supervisor.StartAsync(Ct).WaitAsync(Timeout, Ct);

        h.Modules.Latest.Exit(1);
        var gaveUp = await h.GaveUp.NextAsync();

        Assert.Equal("max-restarts is 0; last run exited with code 1", gaveUp.Reason);
        Assert.Equal(1, h.Modules.Count);
    }

    [Fact]
    public async Task Disposing_twice_or_after_a_stop_is_harmless()
    {
        var h = Supervise();
        await h.Supervisor.StartAsync(Ct).WaitAsync(Timeout, Ct);

        await h.Supervisor.StopAsync(TimeSpan.Zero, Ct);
        await h.Supervisor.DisposeAsync();
        await h.Supervisor.DisposeAsync();

        Assert.Equal(ModuleState.Stopped, h.Supervisor.State);
    }

    [Fact]
    public void Options_that_make_no_sense_are_refused_when_the_supervisor_is_built()
    {
        var options = new ModuleSupervisorOptions { Restart = new RestartPolicy { Within = TimeSpan.Zero } };

        var error = Assert.Throws<ArgumentException>(() => new ModuleSupervisor("stats", () => new FakeModule(), options, _time));

        Assert.Equal("within: 0ms must be longer than zero", error.Message);
    }
}
