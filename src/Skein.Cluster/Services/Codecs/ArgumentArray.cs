using Skein.Cluster.Services.Contracts;

namespace Skein.Cluster.Services.Codecs;

/// <summary>The arguments of a call through the reflection proxy: its argument array, the token left out.</summary>
internal readonly struct ArgumentArray(ContractMethod method, object?[] arguments) : IProxyArguments
{
    public void Write(ref ProxyArgumentWriter writer)
    {
        var next = 0;
        for (var i = 0; i < arguments.Length; i++)
        {
            if (i == method.CancellationTokenIndex) continue;
            writer.Write(method.ParameterTypes[next++], arguments[i]);
        }
    }

    public CancellationToken Token =>
        method.CancellationTokenIndex >= 0 && arguments[method.CancellationTokenIndex] is CancellationToken token ? token : default;
}
