using Skein.Cluster.Events;

namespace Skein.Cluster.Modules.Lifecycle;

/// <summary>Subjects lifecycle events are published on.</summary>
public static class ModuleEvents
{
    /// <summary>Every module's state changes, as a subscription pattern.</summary>
    public const string AllStates = "module.*.state";

    /// <summary>
    /// <c>module.&lt;name&gt;.state</c>. The name becomes one subject token, so it may hold no '.', whitespace or wildcard;
    /// an <see cref="ArgumentException"/> says which.
    /// </summary>
    public static string StateSubject(string module)
    {
        ArgumentException.ThrowIfNullOrEmpty(module);
        // A dot would split the name into two tokens and make "module.*.state" miss it.
        if (module.Contains('.', StringComparison.Ordinal))
            throw new ArgumentException($"module name '{module}' holds a '.', which would split it across subject tokens", nameof(module));
        var subject = $"module.{module}.state";
        Subject.Validate(subject);
        return subject;
    }
}
