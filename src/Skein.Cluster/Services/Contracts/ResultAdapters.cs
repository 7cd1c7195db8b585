using System.Reflection;
using System.Runtime.CompilerServices;

namespace Skein.Cluster.Services.Contracts;

/// <summary>
/// Server-side adapters from what a method returned (a Task&lt;T&gt;, a ValueTask, an IAsyncEnumerable&lt;T&gt;…) to
/// an awaitable object result or an object stream, made once per method from generic helpers — no reflection per call.
/// </summary>
internal static class ResultAdapters
{
    // Weak keys, so that the adapters of a collectible module's methods go when the module is unloaded.
    private static readonly ConditionalWeakTable<ContractMethod, Func<object?, ValueTask<object?>>> Awaiters = new();
    private static readonly ConditionalWeakTable<ContractMethod, Func<object, CancellationToken, IAsyncEnumerable<object?>>> Streams = new();

    public static Func<object?, ValueTask<object?>> AwaiterFor(ContractMethod method) => Awaiters.GetValue(method, static m => m.Shape switch
    {
        MethodShape.Task => static returned => AwaitTask((Task)returned!),
        MethodShape.ValueTask => static returned => AwaitValueTask((ValueTask)returned!),
        MethodShape.TaskOfT => Make<Func<object?, ValueTask<object?>>>(nameof(AwaitTaskOf), m.ResultType!),
        MethodShape.ValueTaskOfT => Make<Func<object?, ValueTask<object?>>>(nameof(AwaitValueTaskOf), m.ResultType!),
        _ => throw new InvalidOperationException($"{m.WireName} streams; it has no single result"),
    });

    public static Func<object, CancellationToken, IAsyncEnumerable<object?>> StreamFor(ContractMethod method) =>
        Streams.GetValue(method, static m => Make<Func<object, CancellationToken, IAsyncEnumerable<object?>>>(nameof(BoxStream), m.ResultType!));

    private static TDelegate Make<TDelegate>(string name, Type type) where TDelegate : Delegate =>
        typeof(ResultAdapters).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(type).CreateDelegate<TDelegate>();

    private static async ValueTask<object?> AwaitTask(Task task)
    {
        await task.ConfigureAwait(false);
        return null;
    }

    private static async ValueTask<object?> AwaitValueTask(ValueTask task)
    {
        await task.ConfigureAwait(false);
        return null;
    }

    private static ValueTask<object?> AwaitTaskOf<T>(object? returned)
    {
        var task = (Task<T>)returned!;
        return task.IsCompletedSuccessfully ? new ValueTask<object?>(task.Result) : Slow(task);

        static async ValueTask<object?> Slow(Task<T> task) => await task.ConfigureAwait(false);
    }

    private static ValueTask<object?> AwaitValueTaskOf<T>(object? returned)
    {
        var task = (ValueTask<T>)returned!;
        return task.IsCompletedSuccessfully ? new ValueTask<object?>(task.Result) : Slow(task);

        static async ValueTask<object?> Slow(ValueTask<T> task) => await task.ConfigureAwait(false);
    }

    private static async IAsyncEnumerable<object?> BoxStream<T>(object source, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in ((IAsyncEnumerable<T>)source).WithCancellation(cancellationToken).ConfigureAwait(false))
            yield return item;
    }
}
