namespace Skein.Cluster.Apps;

/// <summary>
/// A module of an app did not start. Every module the same start had loaded before it was unloaded again, last
/// started first (<see cref="RolledBack"/>); any that would not unload are in <see cref="RollbackFailures"/>.
/// </summary>
public sealed class AppStartException : AppFailedException
{
    public AppStartException(string app, string module, string node, string reason, IReadOnlyList<AppModuleLocation> rolledBack,
        IReadOnlyList<string> rollbackFailures, Exception inner)
        : base(Describe(app, module, node, reason, rolledBack, rollbackFailures), inner)
    {
        App = app;
        Module = module;
        Node = node;
        Reason = reason;
        RolledBack = rolledBack;
        RollbackFailures = rollbackFailures;
    }

    public string App { get; }
    public string Module { get; }
    public string Node { get; }
    public string Reason { get; }
    public IReadOnlyList<AppModuleLocation> RolledBack { get; }
    public IReadOnlyList<string> RollbackFailures { get; }

    private static string Describe(string app, string module, string node, string reason, IReadOnlyList<AppModuleLocation> rolledBack,
        IReadOnlyList<string> rollbackFailures)
    {
        var undone = rolledBack.Count == 0
            ? "nothing had been started, so nothing was stopped"
            : $"stopped the {(rolledBack.Count == 1 ? "module" : $"{rolledBack.Count} modules")} this start had loaded: {string.Join(", ", rolledBack)}";
        var failures = rollbackFailures.Count == 0 ? "" : $"; could not stop: {string.Join("; ", rollbackFailures)}";
        return $"app '{app}' failed to start: module '{module}' on node {node}: {reason}\n{undone}{failures}";
    }
}
