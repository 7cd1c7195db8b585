namespace Skein.Modules.Lifecycle;

/// <summary>A state change the lifecycle table forbids. It names the module and both states, since it always means a bug in the caller.</summary>
public sealed class ModuleTransitionException : InvalidOperationException
{
    public ModuleTransitionException(string module, ModuleState from, ModuleState to, bool restart)
        : base(Describe(module, from, to, restart))
    {
        Module = module;
        From = from;
        To = to;
    }

    public string Module { get; }

    public ModuleState From { get; }

    public ModuleState To { get; }

    private static string Describe(string module, ModuleState from, ModuleState to, bool restart)
    {
        var text = $"module '{module}' cannot go from {from.ToText()} to {to.ToText()}";
        if (restart) return text + ": a restart starts only from failed or stopped";
        if (ModuleTransitions.CanRestartFrom(from) && to == ModuleState.Initializing)
            return text + " except through a restart by its supervisor";
        return text;
    }
}
