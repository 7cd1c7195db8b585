using System.ComponentModel;
using Skein.Cluster.Services.Contracts;

namespace Skein.Cluster.Services.Client;

/// <summary>One method of a service contract as a generated proxy calls it: looked up once, when the proxy type is first used.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ProxyMethod
{
    private ProxyMethod(ContractMethod method) => Method = method;

    internal ContractMethod Method { get; }

    /// <summary>The method of <paramref name="contract"/> that travels as <paramref name="wireName"/>.</summary>
    /// <exception cref="SkeinException">The contract is not valid, or has no such method (the proxy was generated from another version of it).</exception>
    internal static ProxyMethod Of(Type contract, string wireName)
    {
        ArgumentNullException.ThrowIfNull(contract);
        ArgumentNullException.ThrowIfNull(wireName);
        var service = ServiceContract.For(contract);
        return service.Methods.TryGetValue(wireName, out var method)
            ? new ProxyMethod(method)
            : throw new SkeinException($"{contract.FullName} has no method that travels as '{wireName}'; its generated proxy does not match it (rebuild the project that declares it)");
    }

    public override string ToString() => $"{Method.Contract.Name}.{Method.WireName}";
}
