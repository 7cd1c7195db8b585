namespace Skein.Modules.Stdio;

/// <summary>One service a module offers, as its hello describes it.</summary>
/// <param name="Name">The service name clients ask for, e.g. "stats".</param>
/// <param name="Mode">How the module makes the objects that serve calls.</param>
/// <param name="Methods">The methods by wire name.</param>
public sealed record StdioServiceDescription(string Name, InstanceMode Mode, IReadOnlyList<StdioMethodDescription> Methods);
