namespace Skein.Modules.Lifecycle;

/// <summary>
/// The supervisor will not restart a failed module again — the restart limit was reached, or the policy does not
/// restart after such an exit. The node withdraws the module's services when it sees this.
/// </summary>
public sealed class ModuleGaveUpEventArgs(string module, string reason, int restarts, TimeSpan window, ModuleExit lastExit, DateTimeOffset at) : EventArgs
{
    public string Module { get; } = module;

    /// <summary>Why, in words: "5 restarts within 60s, the most allowed; last exited with code 1".</summary>
    public string Reason { get; } = reason;

    /// <summary>Restarts inside the window when the supervisor gave up (for a policy refusal, the total so far).</summary>
    public int Restarts { get; } = restarts;

    public TimeSpan Window { get; } = window;

    public ModuleExit LastExit { get; } = lastExit;

    public DateTimeOffset At { get; } = at;

    public override string ToString() => $"gave up on module '{Module}': {Reason}";
}
