using System.Reflection;

namespace Skein.Cluster.Services.Client;

/// <summary>
/// The reflection proxy (made by <see cref="DispatchProxy"/>), for contracts without a generated one
/// (<see cref="GeneratedServiceProxy"/>): each interface call goes to the method's compiled client invoker. Disposing it
/// releases the server object it reserved.
/// </summary>
internal class ServiceProxy : DispatchProxy, IAsyncDisposable
{
    internal ProxyBinding Binding { get; set; } = null!;

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.DeclaringType == typeof(IAsyncDisposable)) return Binding.DisposeAsync();
        if (!Binding.Contract.ByMethodInfo.TryGetValue(targetMethod, out var method))
            throw new NotSupportedException($"{targetMethod.Name} is not part of the {Binding.Contract.Name} contract");
        return ClientInvokers.For(method)(Binding, method, args ?? []);
    }

    // Virtual: when the contract itself extends IAsyncDisposable, the generated proxy type implements it again.
    public virtual ValueTask DisposeAsync() => Binding.DisposeAsync();

    public override string ToString() => $"proxy for service {Binding.Contract.Name}";
}
