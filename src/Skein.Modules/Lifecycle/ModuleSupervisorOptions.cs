namespace Skein.Modules.Lifecycle;

/// <summary>How a <see cref="ModuleSupervisor"/> treats its module; validated once when the supervisor is built.</summary>
public sealed class ModuleSupervisorOptions
{
    public RestartPolicy Restart { get; init; } = RestartPolicy.Default;

    public ModuleFailureAction OnFailure { get; init; } = ModuleFailureAction.Withdraw;

    /// <summary>How long a stop waits for the module before forcing it, when the caller does not say (disposal).</summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first value that makes no sense.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Restart, nameof(Restart));
        Restart.Validate();
        if (!Enum.IsDefined(OnFailure)) throw new ArgumentException($"on-failure: {(int)OnFailure} is not withdraw or fail-node");
        if (StopGrace < TimeSpan.Zero) throw new ArgumentException($"stop grace {StopGrace} is negative");
    }
}
