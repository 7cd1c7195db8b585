namespace Skein.Engine;

/// <summary>A task whose work is a C# delegate. Its return value becomes the task's value for its dependents.</summary>
public sealed class DelegateAction : ITaskAction
{
    private readonly Func<TaskContext, CancellationToken, ValueTask<object?>> _body;

    public DelegateAction(Func<TaskContext, CancellationToken, ValueTask<object?>> body, string? fingerprint = null)
    {
        _body = body ?? throw new ArgumentNullException(nameof(body));
        Fingerprint = fingerprint ?? "delegate";
    }

    public string Fingerprint { get; }

    public static DelegateAction From(Action<TaskContext> body) =>
        new((ctx, _) => { body(ctx); return ValueTask.FromResult<object?>(null); });

    public static DelegateAction From<T>(Func<TaskContext, T> body) =>
        new((ctx, _) => ValueTask.FromResult<object?>(body(ctx)));

    public static DelegateAction From(Func<TaskContext, CancellationToken, Task> body) =>
        new(async (ctx, ct) => { await body(ctx, ct).ConfigureAwait(false); return null; });

    public static DelegateAction From<T>(Func<TaskContext, CancellationToken, Task<T>> body) =>
        new(async (ctx, ct) => await body(ctx, ct).ConfigureAwait(false));

    public ValueTask<ActionResult> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
    {
        var pending = _body(context, cancellationToken);
        // The common case, a body that finished synchronously, builds no async state machine at all.
        return pending.IsCompletedSuccessfully
            ? new ValueTask<ActionResult>(new ActionResult(Outcome.Passed, null, pending.Result))
            : AwaitBodyAsync(pending);
    }

    private static async ValueTask<ActionResult> AwaitBodyAsync(ValueTask<object?> pending) =>
        new(Outcome.Passed, null, await pending.ConfigureAwait(false));
}
