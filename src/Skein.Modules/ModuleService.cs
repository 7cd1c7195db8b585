namespace Skein.Modules;

/// <summary>
/// One service a module offers, by its registry name. Each kind of module says how the service is reached with its
/// own subclass (<see cref="AssemblyModuleService"/> for code in this process).
/// </summary>
public abstract class ModuleService
{
    protected ModuleService(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>The service's name, as in <c>[Service("name")]</c>.</summary>
    public string Name { get; }

    public override string ToString() => Name;
}
