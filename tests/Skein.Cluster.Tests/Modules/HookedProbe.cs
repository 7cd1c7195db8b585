using System.Reflection;

namespace Skein.Cluster.Tests.Modules;

/// <summary>
/// The Hooked test module's static probe, reached by reflection in the module's own load context: each load of the
/// file has its own. Only framework types cross, so a test holding this does not tie the test assembly to the module.
/// </summary>
internal sealed class HookedProbe(Assembly module)
{
    private readonly Type _probe = module.GetType("Hooked.Probe", throwOnError: true)!;

    public IReadOnlyList<string> Log => ((IEnumerable<string>)Get("Log")).ToList();

    /// <summary>Completes once a HoldAsync call is running.</summary>
    public Task Holding => ((TaskCompletionSource)Get("Holding")).Task;

    /// <summary>Completes once the stop hook has begun.</summary>
    public Task Stopping => ((TaskCompletionSource)Get("Stopping")).Task;

    public void ReleaseHold() => _probe.GetMethod("ReleaseHold")!.Invoke(null, null);

    public void ReleaseStop() => _probe.GetMethod("ReleaseStop")!.Invoke(null, null);

    private object Get(string property) => _probe.GetProperty(property)!.GetValue(null)!;
}
