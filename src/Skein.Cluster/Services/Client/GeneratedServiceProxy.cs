using System.ComponentModel;
using Skein.Cluster.Services.Codecs;

namespace Skein.Cluster.Services.Client;

/// <summary>
/// The base of every proxy the Skein source generator writes: each interface method becomes one call to a typed
/// method here, with its arguments in a struct (<see cref="IProxyArguments"/>) — no argument array, no reflection. It
/// behaves exactly as the reflection proxy does (deadlines, cancellation, streams, errors, releasing its server object).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class GeneratedServiceProxy : IAsyncDisposable
{
    private ProxyBinding? _binding;

    internal ProxyBinding Binding
    {
        get => _binding ?? throw new InvalidOperationException("this proxy was not made by SkeinClient.GetServiceAsync");
        set => _binding = value;
    }

    /// <summary>The method of <paramref name="contract"/> that travels as <paramref name="wireName"/>.</summary>
    protected static ProxyMethod Method(Type contract, string wireName) => ProxyMethod.Of(contract, wireName);

    protected Task CallAsync<TArguments>(ProxyMethod method, TArguments arguments, CancellationToken cancellationToken)
        where TArguments : struct, IProxyArguments =>
        Binding.CallAsync(method.Method, arguments, cancellationToken);

    protected Task<TResult> CallAsync<TResult, TArguments>(ProxyMethod method, TArguments arguments, CancellationToken cancellationToken)
        where TArguments : struct, IProxyArguments =>
        Binding.CallAsync<TResult, TArguments>(method.Method, arguments, cancellationToken);

    protected ValueTask CallValueTaskAsync<TArguments>(ProxyMethod method, TArguments arguments, CancellationToken cancellationToken)
        where TArguments : struct, IProxyArguments =>
        new(Binding.CallAsync(method.Method, arguments, cancellationToken));

    protected ValueTask<TResult> CallValueTaskAsync<TResult, TArguments>(ProxyMethod method, TArguments arguments, CancellationToken cancellationToken)
        where TArguments : struct, IProxyArguments =>
        new(Binding.CallAsync<TResult, TArguments>(method.Method, arguments, cancellationToken));

    protected IAsyncEnumerable<TResult> StreamAsync<TResult, TArguments>(ProxyMethod method, TArguments arguments, CancellationToken cancellationToken)
        where TArguments : struct, IProxyArguments =>
        Binding.StreamAsync<TResult, TArguments>(method.Method, arguments, cancellationToken, default);

    /// <summary>Releases the server object a per-connection proxy reserved; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public ValueTask DisposeAsync() => Binding.DisposeAsync();

    public override string ToString() => _binding?.ToString() ?? "unbound service proxy";
}
