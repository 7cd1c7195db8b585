using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Skein.Modules.Lifecycle;

/// <summary>
/// One module's state, changed only along <see cref="ModuleTransitions"/>; every change is reported through
/// <see cref="StateChanged"/> with the time from the <see cref="TimeProvider"/>.
/// </summary>
/// <remarks>
/// Meant to have one writer (the module's supervisor); reads are safe from any thread. Handlers run on the
/// writer's thread, in order, after the state has changed. A handler that throws is logged and does not stop
/// the others: a faulty subscriber must not leave the module half-way through a change.
/// </remarks>
public sealed partial class ModuleLifecycle
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private ModuleState _state = ModuleState.Created;
    private DateTimeOffset _since;

    public ModuleLifecycle(string module, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(module);
        Module = module;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _since = _time.GetUtcNow();
    }

    public string Module { get; }

    public ModuleState State
    {
        get { lock (_lock) return _state; }
    }

    /// <summary>When the module entered its current state.</summary>
    public DateTimeOffset Since
    {
        get { lock (_lock) return _since; }
    }

    public event EventHandler<ModuleStateChangedEventArgs>? StateChanged;

    /// <summary>Moves to <paramref name="to"/>, or throws a <see cref="ModuleTransitionException"/> when the table forbids it.</summary>
    public void MoveTo(ModuleState to, string? reason = null) => Change(to, reason, restart: false);

    /// <summary>Starts a new run after a failed or stopped one: the only way back to <see cref="ModuleState.Initializing"/>.</summary>
    public void Restart(string? reason = null) => Change(ModuleState.Initializing, reason, restart: true);

    private void Change(ModuleState to, string? reason, bool restart)
    {
        ModuleStateChangedEventArgs change;
        lock (_lock)
        {
            var allowed = restart ? ModuleTransitions.CanRestartFrom(_state) : ModuleTransitions.IsAllowed(_state, to);
            if (!allowed) throw new ModuleTransitionException(Module, _state, to, restart);
            change = new ModuleStateChangedEventArgs(Module, _state, to, reason, _time.GetUtcNow());
            _state = to;
            _since = change.At;
        }
        Raise(change);
    }

    private void Raise(ModuleStateChangedEventArgs change)
    {
        var handlers = StateChanged;
        if (handlers is null) return;
        foreach (var handler in handlers.GetInvocationList())
        {
            try
            {
                ((EventHandler<ModuleStateChangedEventArgs>)handler)(this, change);
            }
            catch (Exception e)
            {
                LogHandlerFailed(e, Module, change.From.ToText(), change.To.ToText());
            }
        }
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Error, Message = "a handler of module {Module}'s change from {From} to {To} threw")]
    private partial void LogHandlerFailed(Exception exception, string module, string from, string to);
}
