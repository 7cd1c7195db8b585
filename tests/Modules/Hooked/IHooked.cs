namespace Hooked;

[Service("hooked")]
public interface IHooked
{
    /// <summary>"MODULE on NODE", as the module's context says.</summary>
    Task<string> WhoAsync(CancellationToken cancellationToken = default);

    /// <summary>Which hooks object and which service object answer: "hooks N, service M".</summary>
    Task<string> InstanceAsync(CancellationToken cancellationToken = default);

    /// <summary>Reports a fatal failure through the module's context.</summary>
    Task CrashAsync(string message, CancellationToken cancellationToken = default);

    /// <summary>Returns "held" once the test opens <see cref="Probe.HoldGate"/>.</summary>
    Task<string> HoldAsync(CancellationToken cancellationToken = default);
}
