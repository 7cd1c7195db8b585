using Skein.Modules.Lifecycle;

namespace Skein.Cluster.Tests.Modules.Lifecycle;

/// <summary>One run of a pretend module: the test decides when and how it ends.</summary>
internal sealed class FakeModule : ISupervisedModule
{
    private readonly TaskCompletionSource<ModuleExit> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Exception? InitializeThrows { get; init; }

    public Exception? ActivateThrows { get; init; }

    public TimeSpan? StopGrace { get; private set; }

    public bool Disposed { get; private set; }

    public Task<ModuleExit> Completion => _completion.Task;

    /// <summary>When set, initialize waits for it (or for cancellation), like a process that has not said hello yet.</summary>
    public TaskCompletionSource? InitializeGate { get; init; }

    public TaskCompletionSource Initializing { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        Initializing.TrySetResult();
        if (InitializeGate is not null) await InitializeGate.Task.WaitAsync(cancellationToken);
        if (InitializeThrows is not null) throw InitializeThrows;
    }

    public Task ActivateAsync(CancellationToken cancellationToken) =>
        ActivateThrows is null ? Task.CompletedTask : Task.FromException(ActivateThrows);

    public Task StopAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        StopGrace = grace;
        _completion.TrySetResult(ModuleExit.Requested);
        return Task.CompletedTask;
    }

    public void Exit(int code, string? stderr = null) => _completion.TrySetResult(ModuleExit.Exited(code, stderr));

    public void Crash(Exception exception) => _completion.TrySetResult(ModuleExit.Faulted(exception));

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}
