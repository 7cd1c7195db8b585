using Skein.Shared.Text;

namespace Skein.Modules.Lifecycle;

/// <summary>Subjects lifecycle events are published on.</summary>
public static class ModuleEvents
{
    /// <summary>Every module's state changes, as a subscription pattern.</summary>
    public const string AllStates = "module.*.state";

    /// <summary>
    /// <c>module.&lt;name&gt;.state</c>, with each '.' of the name written as '_' (<c>My.Module</c> →
    /// <c>module.My_Module.state</c>); the payload carries the name as it is. A name with whitespace or a wildcard
    /// cannot be a subject token: an <see cref="ArgumentException"/> says which.
    /// </summary>
    public static string StateSubject(string module)
    {
        ArgumentException.ThrowIfNullOrEmpty(module);
        // A dot would split the name into two tokens and make "module.*.state" miss it; an assembly's default name,
        // taken from its file, usually has dots.
        var subject = $"module.{module.Replace('.', '_')}.state";
        // The rules of the cluster's event subjects (Skein.Cluster.Events.Subject), shared as source.
        SubjectSyntax.Validate(subject, allowWildcards: false, "subject", nameof(subject));
        return subject;
    }
}
