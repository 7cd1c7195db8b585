namespace Skein.Modules.Isolated;

/// <summary>Where the module host is, for assemblies run out of process.</summary>
public sealed class IsolatedModuleOptions
{
    /// <summary>The module host's file name, beside the node's own assemblies (<c>ModuleHostProgram.FileName</c>).</summary>
    public const string HostFileName = "skein-module-host.dll";

    /// <summary>
    /// The module host's assembly (<c>skein-module-host.dll</c>); by default the one beside the node's own assemblies,
    /// where building or installing Skein puts it.
    /// </summary>
    public string? HostPath { get; set; }

    /// <summary>The <c>dotnet</c> program that runs the host; by default the one running this process.</summary>
    public string? DotnetPath { get; set; }
}
