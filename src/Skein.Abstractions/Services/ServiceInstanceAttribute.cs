namespace Skein;

/// <summary>
/// Declared on a service implementation: its <see cref="InstanceMode"/> and, optionally, the most proxies it serves at once.
/// Without it an implementation is <see cref="InstanceMode.PerConnection"/> with no capacity limit.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ServiceInstanceAttribute(InstanceMode mode) : Attribute
{
    public InstanceMode Mode { get; } = mode;

    /// <summary>The most concurrent proxies (reservations) per hosting node; 0 means no limit.</summary>
    public int Capacity { get; init; }
}
