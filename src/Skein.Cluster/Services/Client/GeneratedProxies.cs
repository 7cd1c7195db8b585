using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace Skein.Cluster.Services.Client;

/// <summary>
/// The proxies the Skein source generator made at compile time, by contract. Each project that declares contracts and
/// references Skein.Cluster registers its own from a module initializer; a contract without one is served by the
/// reflection proxy, which behaves the same.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class GeneratedProxies
{
    // Weak keys: a registration must not keep an unloadable module's contract alive.
    private static readonly ConditionalWeakTable<Type, Func<GeneratedServiceProxy>> Factories = new();

    /// <summary>Registers the generated proxy of <typeparamref name="TContract"/>; a second registration of the same contract is ignored.</summary>
    public static void Register<TContract>(Func<GeneratedServiceProxy> factory) where TContract : class
    {
        ArgumentNullException.ThrowIfNull(factory);
        Factories.TryAdd(typeof(TContract), factory);
    }

    /// <summary>A new, unbound generated proxy for <paramref name="contract"/>, or null when none is registered.</summary>
    internal static GeneratedServiceProxy? Create(Type contract) => Factories.TryGetValue(contract, out var factory) ? factory() : null;
}
