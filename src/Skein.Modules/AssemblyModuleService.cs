namespace Skein.Modules;

/// <summary>A service of an assembly module: a contract interface and the public class that implements it.</summary>
public sealed class AssemblyModuleService : ModuleService
{
    public AssemblyModuleService(string name, Type contract, Type implementation) : base(name)
    {
        ArgumentNullException.ThrowIfNull(contract);
        ArgumentNullException.ThrowIfNull(implementation);
        Contract = contract;
        Implementation = implementation;
    }

    public Type Contract { get; }

    public Type Implementation { get; }
}
