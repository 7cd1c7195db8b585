using Skein.Cluster.Services;

namespace Skein.Cluster.Services;

/// <summary>Checks and copies a node's service list, so the registry owns lists nobody else can change.</summary>
internal static class ServiceList
{
    /// <exception cref="InvalidServiceListException">A service has no name, or two share one.</exception>
    public static ServiceDescription[] Freeze(IEnumerable<ServiceDescription> services)
    {
        var copies = new List<ServiceDescription>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var service in services)
        {
            if (string.IsNullOrWhiteSpace(service.Name)) throw new InvalidServiceListException("a service must have a name");
            if (!names.Add(service.Name)) throw new InvalidServiceListException($"the service '{service.Name}' is listed twice; a node hosts each service once");
            // A copy the caller cannot change through the lists it passed in.
            copies.Add(service with { Methods = [.. service.Methods.Select(m => m with { Parameters = [.. m.Parameters] })] });
        }
        return [.. copies];
    }

    public static bool Contains(IReadOnlyList<ServiceDescription> services, string name)
    {
        foreach (var service in services) if (service.Name == name) return true;
        return false;
    }

    /// <summary>Same services with the same details, in the same order.</summary>
    public static bool Same(IReadOnlyList<ServiceDescription> a, IReadOnlyList<ServiceDescription> b)
    {
        if (a.Count != b.Count) return false;
        for (var i = 0; i < a.Count; i++) if (!a[i].Equals(b[i])) return false;
        return true;
    }
}
