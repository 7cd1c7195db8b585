using System.Runtime.CompilerServices;
using System.Collections.Frozen;
using System.Reflection;

namespace Skein.Cluster.Services.Contracts;

/// <summary>
/// A <see cref="ServiceAttribute"/> interface, reflected and checked once per process: its name and its methods by
/// wire name and by <see cref="MethodInfo"/> (the proxy's way in).
/// </summary>
internal sealed class ServiceContract
{
    // Weak keys: a contract from a collectible module (its own load context) must not be kept alive by this cache.
    private static readonly ConditionalWeakTable<Type, ServiceContract> Cache = new();

    private ServiceContract(Type type, string name)
    {
        Type = type;
        Name = name;
    }

    public Type Type { get; }

    public string Name { get; }

    public FrozenDictionary<string, ContractMethod> Methods { get; private set; } = FrozenDictionary<string, ContractMethod>.Empty;

    public FrozenDictionary<MethodInfo, ContractMethod> ByMethodInfo { get; private set; } = FrozenDictionary<MethodInfo, ContractMethod>.Empty;

    /// <summary>Whether the contract extends <see cref="IAsyncDisposable"/>, so callers can <c>await using</c> its proxies.</summary>
    public bool IsDisposable => typeof(IAsyncDisposable).IsAssignableFrom(Type);

    public static ServiceContract For<T>() => For(typeof(T));

    public static ServiceContract For(Type type) => Cache.GetValue(type, Reflect);

    public static bool IsContract(Type type) => type.IsInterface && type.GetCustomAttribute<ServiceAttribute>() is not null;

    /// <summary>Finds a method by wire name; also accepts the C# name ("EchoAsync") and ignores case when that is unambiguous.</summary>
    public ContractMethod? FindMethod(string name)
    {
        if (Methods.TryGetValue(name, out var exact)) return exact;
        var wire = name.EndsWith("Async", StringComparison.Ordinal) && name.Length > 5 ? name[..^5] : name;
        if (Methods.TryGetValue(wire, out var method)) return method;
        var matches = Methods.Values.Where(m => m.WireName.Equals(wire, StringComparison.OrdinalIgnoreCase)).Take(2).ToList();
        return matches.Count == 1 ? matches[0] : null;
    }

    private static ServiceContract Reflect(Type type)
    {
        if (!type.IsInterface)
            throw new SkeinException($"{type.FullName} is not an interface; a service contract is an interface marked [Service(\"name\")]");
        var attribute = type.GetCustomAttribute<ServiceAttribute>()
            ?? throw new SkeinException($"{type.FullName} is not a service contract: mark it [Service(\"name\")]");
        if (type.IsGenericTypeDefinition)
            throw new SkeinException($"{type.FullName} is generic; a service contract cannot be");
        var contract = new ServiceContract(type, attribute.Name);
        var byName = new Dictionary<string, ContractMethod>(StringComparer.Ordinal);
        var byInfo = new Dictionary<MethodInfo, ContractMethod>();
        foreach (var @interface in (Type[])[type, .. type.GetInterfaces()])
        {
            if (@interface == typeof(IAsyncDisposable)) continue; // releases the proxy; never sent
            if (@interface.GetProperties().FirstOrDefault() is { } property)
                throw new SkeinException($"{@interface.FullName}.{property.Name} is a property; a service contract has only methods");
            if (@interface.GetEvents().FirstOrDefault() is { } @event)
                throw new SkeinException($"{@interface.FullName}.{@event.Name} is an event; publish events on the cluster's event bus instead");
            foreach (var info in @interface.GetMethods())
            {
                if (info.IsStatic || !info.IsAbstract) continue; // static members and default implementations stay local
                var method = ContractMethod.Reflect(contract, info);
                if (!byName.TryAdd(method.WireName, method))
                    throw new SkeinException(
                        $"{type.FullName} has two methods named {method.WireName} ({byName[method.WireName].Method.Name} and {info.Name}); " +
                        "methods travel by name, so each needs its own");
                byInfo[info] = method;
            }
        }
        contract.Methods = byName.ToFrozenDictionary(StringComparer.Ordinal);
        contract.ByMethodInfo = byInfo.ToFrozenDictionary();
        return contract;
    }
}
