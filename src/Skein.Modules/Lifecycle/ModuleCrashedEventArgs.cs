namespace Skein.Modules.Lifecycle;

/// <summary>
/// A module's run ended abnormally. Raised at once, before any backoff, so the node can fail the calls in
/// flight to it straight away with an error naming the module instead of letting them run into their deadlines.
/// </summary>
public sealed class ModuleCrashedEventArgs(string module, ModuleExit exit, TimeSpan? restartDelay, DateTimeOffset at) : EventArgs
{
    public string Module { get; } = module;

    public ModuleExit Exit { get; } = exit;

    /// <summary>How long until the restart; null when the module will not be restarted.</summary>
    public TimeSpan? RestartDelay { get; } = restartDelay;

    public DateTimeOffset At { get; } = at;

    /// <summary>The message for a call the crash cut short.</summary>
    public override string ToString() => $"module '{Module}' crashed: {Exit}";
}
