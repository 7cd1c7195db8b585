namespace Skein.Modules.Lifecycle;

/// <summary>
/// The JSON payload of a <c>module.&lt;name&gt;.state</c> event. States are their lower-case names
/// (<see cref="ModuleStateNames"/>) so scripts in any language read them without knowing the enum.
/// Serialise with <see cref="ModuleEventsJsonContext"/>.
/// </summary>
public sealed record ModuleStateEvent(string Module, string From, string To, string? Reason, DateTimeOffset At);
