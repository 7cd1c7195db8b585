namespace Skein.Modules.Lifecycle;

/// <summary>One state change of one module, as <see cref="ModuleLifecycle.StateChanged"/> reports it.</summary>
public sealed class ModuleStateChangedEventArgs(string module, ModuleState from, ModuleState to, string? reason, DateTimeOffset at) : EventArgs
{
    public string Module { get; } = module;

    public ModuleState From { get; } = from;

    public ModuleState To { get; } = to;

    /// <summary>Why, in words a person reads in <c>skein module list</c> or the event stream; null when obvious.</summary>
    public string? Reason { get; } = reason;

    public DateTimeOffset At { get; } = at;

    /// <summary>The payload to publish on <see cref="ModuleEvents.StateSubject"/>.</summary>
    public ModuleStateEvent ToEvent() => new(Module, From.ToText(), To.ToText(), Reason, At);

    public override string ToString() =>
        Reason is null ? $"{Module}: {From.ToText()} → {To.ToText()}" : $"{Module}: {From.ToText()} → {To.ToText()} ({Reason})";
}
