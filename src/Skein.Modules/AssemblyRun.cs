using System.Reflection;
using System.Runtime.ExceptionServices;
using Skein.Modules.Lifecycle;

namespace Skein.Modules;

/// <summary>
/// One run of an assembly module, as its supervisor drives it: a fresh hooks object, initialized and activated, whose
/// run ends when the module reports a failure through its context, or when it is stopped.
/// </summary>
internal sealed class AssemblyRun(ModuleLoadRequest request, Type? hooksType) : ISupervisedModule
{
    private readonly TaskCompletionSource<ModuleExit> _end = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IModuleHooks? _hooks;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (hooksType is null) return;
        // A failure reported from here on belongs to this run only: a later run has its own context.
        var context = new ModuleContext(request.Name, request.Node, request.Config, request.Arguments,
            exception => _end.TrySetResult(ModuleExit.Faulted(exception)));
        try
        {
            _hooks = (IModuleHooks)Activator.CreateInstance(hooksType)!;
        }
        catch (TargetInvocationException ex) when (ex.InnerException is { } thrown)
        {
            ExceptionDispatchInfo.Throw(thrown); // the constructor's own exception is the reason, not the reflection around it
        }
        await _hooks.InitializeAsync(context, cancellationToken).ConfigureAwait(false);
        ThrowIfFailed();
    }

    public async Task ActivateAsync(CancellationToken cancellationToken)
    {
        if (_hooks is null) return;
        await _hooks.ActivateAsync(cancellationToken).ConfigureAwait(false);
        ThrowIfFailed();
    }

    // A module without hooks has nothing that could end a run but a stop.
    public Task<ModuleExit> Completion => _end.Task;

    public async Task StopAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        _end.TrySetResult(ModuleExit.Requested);
        if (_hooks is not { } hooks) return;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (grace != Timeout.InfiniteTimeSpan) deadline.CancelAfter(grace);
        // A hook that ignores its token is left behind after the grace: the unload goes on without it.
        await hooks.StopAsync(deadline.Token).WaitAsync(deadline.Token).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        var hooks = Interlocked.Exchange(ref _hooks, null);
        _end.TrySetResult(ModuleExit.Requested);
        switch (hooks)
        {
            case IAsyncDisposable asyncDisposable: await asyncDisposable.DisposeAsync().ConfigureAwait(false); break;
            case IDisposable disposable: disposable.Dispose(); break;
        }
    }

    // A failure reported while a hook ran makes that hook's start fail, as the supervisor expects of a run that ends then.
    private void ThrowIfFailed()
    {
        if (_end.Task.IsCompletedSuccessfully && _end.Task.Result.Exception is { } failure)
            ExceptionDispatchInfo.Throw(failure);
    }
}
