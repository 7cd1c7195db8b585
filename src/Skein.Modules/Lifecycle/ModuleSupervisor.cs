using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skein.Modules.Lifecycle.Internal;
using Skein.Engine;

namespace Skein.Modules.Lifecycle;

/// <summary>
/// Runs one module and keeps it running by its <see cref="RestartPolicy"/>: starts a run, watches it end,
/// restarts it after a backoff (through Polly, jittered, on the <see cref="TimeProvider"/>), and gives up past the restart limit. It knows nothing of services or calls;
/// the node listens to <see cref="Crashed"/>, <see cref="GaveUp"/>, <see cref="FailNodeRequested"/> and
/// <see cref="ModuleLifecycle.StateChanged"/>, and parks incoming calls on <see cref="WhenActiveAsync"/>.
/// </summary>
/// <remarks>
/// One loop task owns the module's state; <see cref="StopAsync"/> only signals it. Every notification about an
/// exit is raised by that loop before it waits for the backoff, so the node hears of a crash at once.
/// </remarks>
public sealed partial class ModuleSupervisor : IAsyncDisposable
{
    private readonly Func<ISupervisedModule> _createRun;
    private readonly ModuleSupervisorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RestartWindow _window;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();

    // True once active, false once the module will not become active again (stopping, given up).
    // Replaced by a fresh one whenever an active run ends, so waiters arriving during a restart wait for the next run.
    private TaskCompletionSource<bool> _active = NewSignal();
    private string? _unavailable;

    // Read by every call without a lock: true only between a run's activation and its end, a stop or a give-up.
    private volatile bool _serving;
    private Task? _loop;
    private bool _stopRequested;
    private TimeSpan _stopGrace;
    private CancellationToken _stopCancellation;
    private int _restarts;
    private ModuleExit? _lastExit;

    /// <param name="module">The module's name, as events and errors show it.</param>
    /// <param name="createRun">Makes a fresh run of the module: called for the first start and for every restart.</param>
    public ModuleSupervisor(string module, Func<ISupervisedModule> createRun, ModuleSupervisorOptions? options = null, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(createRun);
        _options = options ?? new ModuleSupervisorOptions();
        _options.Validate();
        _createRun = createRun;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _window = new RestartWindow(_options.Restart.Within);
        Lifecycle = new ModuleLifecycle(module, _time, _logger);
    }

    public string Module => Lifecycle.Module;

    /// <summary>The module's state and its <see cref="ModuleLifecycle.StateChanged"/> notifications.</summary>
    public ModuleLifecycle Lifecycle { get; }

    public ModuleState State => Lifecycle.State;

    /// <summary>How the module is supervised, as validated when the supervisor was built.</summary>
    public ModuleSupervisorOptions Options => _options;

    /// <summary>
    /// Whether a failed first start ends supervision instead of being retried by the policy: a load wants its
    /// caller to hear at once that the module cannot start, not after the restart limit. Restarts are judged as usual.
    /// </summary>
    public bool GiveUpIfFirstStartFails { get; init; }

    /// <summary>Polly's source of jitter for the restart delays (0 to 1; 0.5 jitters nothing); null for Polly's own. Tests pin it.</summary>
    internal Func<double>? JitterRandomizer { get; init; }

    /// <summary>Active, and not being stopped or given up on: a call may go straight through. Cheap enough for every call.</summary>
    public bool IsServing => _serving;

    /// <summary>Restarts since the first start.</summary>
    public int Restarts
    {
        get { lock (_lock) return _restarts; }
    }

    /// <summary>How the last run ended; null while the first run goes on.</summary>
    public ModuleExit? LastExit
    {
        get { lock (_lock) return _lastExit; }
    }

    /// <summary>Completes when the supervisor is done: the module was stopped, ended for good, or was given up on.</summary>
    public Task Completion => _done.Task;

    /// <summary>A run ended abnormally (an exception, an exit code other than 0). Raised at once, before any backoff.</summary>
    public event EventHandler<ModuleCrashedEventArgs>? Crashed;

    /// <summary>The module failed and will not be restarted; its services should be withdrawn.</summary>
    public event EventHandler<ModuleGaveUpEventArgs>? GaveUp;

    /// <summary>Raised after <see cref="GaveUp"/> when the module is declared <c>on-failure: fail-node</c>: the node should stop itself.</summary>
    public event EventHandler<ModuleGaveUpEventArgs>? FailNodeRequested;

    /// <summary>A snapshot for <c>skein module list</c>.</summary>
    public ModuleStatus GetStatus()
    {
        int restarts;
        ModuleExit? lastExit;
        lock (_lock)
        {
            restarts = _restarts;
            lastExit = _lastExit;
        }
        return new ModuleStatus(Module, Lifecycle.State, Lifecycle.Since, restarts, lastExit?.ToString());
    }

    /// <summary>Starts supervising without waiting: the first run begins on the thread pool.</summary>
    public void Start()
    {
        lock (_lock)
        {
            if (_stopRequested) throw new InvalidOperationException($"module '{Module}' is stopping; its supervisor cannot start again");
            if (_loop is not null) throw new InvalidOperationException($"module '{Module}' is already supervised");
            _loop = Task.Run(RunAsync);
        }
    }

    /// <summary>
    /// Starts supervising and returns once the module is active — after restarts, if its first runs fail and the
    /// policy restarts it. Throws a <see cref="ModuleUnavailableException"/> when it will not become active.
    /// Cancelling stops the wait, not the supervisor.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        Start();
        return WhenActiveAsync(cancellationToken);
    }

    /// <summary>
    /// Returns when the module is active: at once if it is, or once its restart completes. Throws a
    /// <see cref="ModuleUnavailableException"/> naming the module when it is stopping or was given up on, and an
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> (a call's deadline) fires first.
    /// </summary>
    public async Task WhenActiveAsync(CancellationToken cancellationToken)
    {
        Task<bool> signal;
        lock (_lock)
        {
            if (_unavailable is { } reason) throw new ModuleUnavailableException(Module, reason);
            signal = _active.Task;
        }
        if (await signal.WaitAsync(cancellationToken).ConfigureAwait(false)) return;
        lock (_lock) throw new ModuleUnavailableException(Module, _unavailable ?? $"module '{Module}' is {Lifecycle.State.ToText()}");
    }

    /// <summary>
    /// Stops the module and supervising it: a running module is asked to stop and given <paramref name="grace"/>;
    /// a pending restart is called off. Callers waiting in <see cref="WhenActiveAsync"/> fail at once with
    /// "module M is stopping". Cancelling tells the module to end by force now; this still returns only once it has.
    /// </summary>
    public async Task StopAsync(TimeSpan grace, CancellationToken cancellationToken = default)
    {
        if (grace < TimeSpan.Zero && grace != System.Threading.Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(grace), grace, "the grace period is negative");
        Task? loop;
        bool first;
        lock (_lock)
        {
            loop = _loop;
            first = !_stopRequested;
            if (first)
            {
                _stopRequested = true;
                _stopGrace = grace;
                _stopCancellation = cancellationToken;
                MarkUnavailable($"module '{Module}' is stopping");
            }
        }
        // Only the first request signals: a later one (disposal after a stop) just waits, and never touches a disposed source.
        if (first) await _stop.CancelAsync().ConfigureAwait(false);
        if (loop is null) _done.TrySetResult();
        await _done.Task.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(_options.StopGrace).ConfigureAwait(false);
        _stop.Dispose();
    }

    private bool StopRequested
    {
        get { lock (_lock) return _stopRequested; }
    }

    private async Task RunAsync()
    {
        var token = _stop.Token;
        var backoff = new RestartBackoff(_options.Restart.MaxBackoff, _time, JitterRandomizer);
        try
        {
            string? restartReason = null;
            for (var first = true; ; first = false)
            {
                if (first) Lifecycle.MoveTo(ModuleState.Initializing, "starting");
                else Lifecycle.Restart(restartReason);

                var (run, exit, started) = await RunOnceAsync(token).ConfigureAwait(false);
                if (exit is null || StopRequested)
                {
                    await StopRunAsync(run, exit).ConfigureAwait(false);
                    return;
                }

                var restartDue = await ConcludeAsync(exit, started, first && !started && GiveUpIfFirstStartFails, backoff, token).ConfigureAwait(false);
                await DisposeRunAsync(run).ConfigureAwait(false);
                if (restartDue is null) return;
                await restartDue.ConfigureAwait(false);

                int restart;
                lock (_lock) restart = ++_restarts;
                restartReason = $"restart {restart}; last run {exit}";
                LogRestarting(Module, restart);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Stopped during a backoff: there is no run to stop, and the state stays failed or stopped.
        }
        catch (Exception e)
        {
            // Only a bug gets here (a forbidden transition, a factory contract broken); say so rather than hang.
            LogSupervisorFailed(e, Module);
        }
        finally
        {
            lock (_lock) MarkUnavailable($"module '{Module}' is {Lifecycle.State.ToText()}");
            _done.TrySetResult();
        }
    }

    /// <summary>One run from creation to its end. Exit is null when a stop cut it short; started says whether it got to active.</summary>
    private async Task<(ISupervisedModule? Run, ModuleExit? Exit, bool Started)> RunOnceAsync(CancellationToken token)
    {
        ISupervisedModule? run = null;
        var started = false;
        try
        {
            run = _createRun();
            await run.InitializeAsync(token).ConfigureAwait(false);
            if (token.IsCancellationRequested) return (run, null, false);
            Lifecycle.MoveTo(ModuleState.Ready);
            await run.ActivateAsync(token).ConfigureAwait(false);
            if (token.IsCancellationRequested) return (run, null, false);
            Lifecycle.MoveTo(ModuleState.Active);
            started = true;
            lock (_lock)
            {
                if (_unavailable is null)
                {
                    _serving = true;
                    _active.TrySetResult(true);
                }
            }
            return (run, await run.Completion.WaitAsync(token).ConfigureAwait(false), true);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return (run, null, started);
        }
        catch (ModuleTransitionException)
        {
            throw;
        }
        catch (Exception e)
        {
            // A hook that throws, a process that dies before its hello, a faulted completion: all crashes.
            return (run, ModuleExit.Faulted(e), started);
        }
    }

    /// <summary>
    /// Records how a run ended, decides whether to restart, moves the state and raises the notifications — all
    /// before the backoff, so nobody waits on it to hear of a crash. Returns the backoff's wait, or null when done.
    /// </summary>
    private async Task<Task?> ConcludeAsync(ModuleExit exit, bool started, bool firstStartFailed, RestartBackoff backoff, CancellationToken token)
    {
        var now = _time.GetUtcNow();
        var policy = _options.Restart;
        lock (_lock)
        {
            _serving = false;
            _lastExit = exit;
            if (_active.Task.IsCompleted && _unavailable is null) _active = NewSignal();
        }

        PendingRestart? restart = null;
        string? refusal = null;
        var limitReached = false;
        var inWindow = 0;
        if (firstStartFailed)
        {
            refusal = "its first start failed";
        }
        else if (!policy.ShouldRestart(exit))
        {
            refusal = $"restart policy is {policy.Mode.ToString().ToLowerInvariant()}";
        }
        else
        {
            inWindow = _window.CountAt(now);
            if (inWindow >= policy.MaxRestarts)
            {
                limitReached = true;
                refusal = policy.MaxRestarts == 0
                    ? "max-restarts is 0"
                    : $"{inWindow} restarts within {Durations.Format(policy.Within)}, the most allowed";
            }
            else
            {
                // Polly starts the wait's timer before it hands over the delay it chose, so the timer exists before
                // anyone hears of the crash (a listener may advance a fake clock at once), and the delay announced
                // below is the one waited.
                restart = backoff.Begin(policy.BackoffFor(inWindow), token);
                _window.Record(now);
            }
        }

        TimeSpan? delay = restart is null ? null : await restart.Delay.ConfigureAwait(false);
        var failed = exit.IsAbnormal || limitReached || firstStartFailed;
        var what = started ? exit.ToString() : $"could not start: {exit}";
        string reason;
        if (delay is { } d) reason = $"{what}; restart {Restarts + 1} in {Durations.Format(d)}";
        else reason = failed ? $"{what}; not restarted: {refusal}" : what;

        Lifecycle.MoveTo(failed ? ModuleState.Failed : ModuleState.Stopped, reason);
        if (exit.IsAbnormal)
        {
            LogCrashed(Module, exit.ToString());
            Raise(Crashed, new ModuleCrashedEventArgs(Module, exit, delay, now));
        }

        if (restart is not null) return restart.Elapsed;
        if (!failed)
        {
            lock (_lock) MarkUnavailable($"module '{Module}' is stopped: it {exit} and its restart policy is {policy.Mode.ToString().ToLowerInvariant()}");
            return null;
        }

        var gaveUp = new ModuleGaveUpEventArgs(Module, $"{refusal}; last run {exit}", limitReached ? inWindow : Restarts, policy.Within, exit, now);
        lock (_lock) MarkUnavailable($"module '{Module}' is failed: {gaveUp.Reason}");
        LogGaveUp(Module, gaveUp.Reason);
        Raise(GaveUp, gaveUp);
        if (_options.OnFailure == ModuleFailureAction.FailNode)
        {
            LogFailingNode(Module);
            Raise(FailNodeRequested, gaveUp);
        }
        return null;
    }

    private async Task StopRunAsync(ISupervisedModule? run, ModuleExit? exit)
    {
        TimeSpan grace;
        CancellationToken force;
        lock (_lock)
        {
            grace = _stopGrace;
            force = _stopCancellation;
            _lastExit = exit ?? ModuleExit.Requested;
        }
        if (Lifecycle.State is ModuleState.Initializing or ModuleState.Ready or ModuleState.Active)
            Lifecycle.MoveTo(ModuleState.Stopping, "stop requested");
        if (run is not null)
        {
            try
            {
                await run.StopAsync(grace, force).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                LogStopFailed(e, Module);
            }
        }
        if (Lifecycle.State == ModuleState.Stopping) Lifecycle.MoveTo(ModuleState.Stopped, "stopped on request");
        await DisposeRunAsync(run).ConfigureAwait(false);
    }

    private async Task DisposeRunAsync(ISupervisedModule? run)
    {
        if (run is null) return;
        try
        {
            await run.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogDisposeFailed(e, Module);
        }
    }

    // Callers hold _lock. The first reason wins: "stopping" must not be overwritten by the state the stop ends in.
    private void MarkUnavailable(string reason)
    {
        _serving = false;
        if (_unavailable is not null) return;
        _unavailable = reason;
        _active.TrySetResult(false);
    }

    private void Raise<T>(EventHandler<T>? handlers, T args)
    {
        if (handlers is null) return;
        foreach (var handler in handlers.GetInvocationList())
        {
            try
            {
                ((EventHandler<T>)handler)(this, args);
            }
            catch (Exception e)
            {
                LogHandlerFailed(e, Module);
            }
        }
    }

    private static TaskCompletionSource<bool> NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
