using System.Collections.Concurrent;

namespace Hooked;

/// <summary>
/// What the tests see of the module from outside (through reflection on its own load context): which hooks ran,
/// and gates the slow hooks and calls wait on. Static, so each load of the file has its own.
/// </summary>
public static class Probe
{
    public static ConcurrentQueue<string> Log { get; } = new();

    public static ModuleContext? Context { get; set; }

    public static int HooksMade;

    public static int ServicesMade;

    /// <summary>Opened by the test to let a slow stop hook finish.</summary>
    public static TaskCompletionSource StopGate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Opened by the test to let a held call return.</summary>
    public static TaskCompletionSource HoldGate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed once a held call has started, so the test knows it is running.</summary>
    public static TaskCompletionSource Holding { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed once the stop hook has started.</summary>
    public static TaskCompletionSource Stopping { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static void ReleaseStop() => StopGate.TrySetResult();

    public static void ReleaseHold() => HoldGate.TrySetResult();
}
