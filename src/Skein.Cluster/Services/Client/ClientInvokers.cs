using Skein.Cluster.Services.Codecs;
using System.Reflection;
using System.Runtime.CompilerServices;
using Skein.Cluster.Services.Contracts;

namespace Skein.Cluster.Services.Client;

/// <summary>
/// Per contract method, the delegate that turns a reflection proxy's call into the Task, ValueTask or IAsyncEnumerable
/// the interface declares — made once from a generic helper, so a call pays no reflection.
/// </summary>
internal static class ClientInvokers
{
    public delegate object Invoker(ProxyBinding binding, ContractMethod method, object?[] arguments);

    // Weak keys, so that a proxy of a collectible module's contract does not keep the module alive.
    private static readonly ConditionalWeakTable<ContractMethod, Invoker> Cache = new();

    public static Invoker For(ContractMethod method) => Cache.GetValue(method, static m => m.Shape switch
    {
        MethodShape.Task => static (binding, method, arguments) => Call(binding, method, arguments),
        MethodShape.ValueTask => static (binding, method, arguments) => new ValueTask(Call(binding, method, arguments)),
        MethodShape.TaskOfT => Make(nameof(TaskOf), m.ResultType!),
        MethodShape.ValueTaskOfT => Make(nameof(ValueTaskOf), m.ResultType!),
        _ => Make(nameof(StreamOf), m.ResultType!),
    });

    private static Invoker Make(string name, Type type) =>
        typeof(ClientInvokers).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(type).CreateDelegate<Invoker>();

    private static Task Call(ProxyBinding binding, ContractMethod method, object?[] arguments)
    {
        var array = new ArgumentArray(method, arguments);
        return binding.CallAsync(method, array, array.Token);
    }

    private static Task<T> CallOf<T>(ProxyBinding binding, ContractMethod method, object?[] arguments)
    {
        var array = new ArgumentArray(method, arguments);
        return binding.CallAsync<T, ArgumentArray>(method, array, array.Token);
    }

    private static object TaskOf<T>(ProxyBinding binding, ContractMethod method, object?[] arguments) => CallOf<T>(binding, method, arguments);

    private static object ValueTaskOf<T>(ProxyBinding binding, ContractMethod method, object?[] arguments) => new ValueTask<T>(CallOf<T>(binding, method, arguments));

    private static object StreamOf<T>(ProxyBinding binding, ContractMethod method, object?[] arguments)
    {
        var array = new ArgumentArray(method, arguments);
        return binding.StreamAsync<T, ArgumentArray>(method, array, array.Token, default);
    }
}
