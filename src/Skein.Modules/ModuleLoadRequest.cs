using System.Text.Json;
using Skein.Modules.Lifecycle;

namespace Skein.Modules;

/// <summary>
/// What to load, under which name, and optionally with which loader. One file may be loaded several times under
/// different names; each load is independent of the others.
/// </summary>
public sealed record ModuleLoadRequest
{
    /// <param name="path">The module's file.</param>
    /// <param name="name">Its name on the node; by default the file name without its extension.</param>
    /// <param name="loader">The loader to use (<c>--loader NAME</c>); by default the one that recognises the file.</param>
    public ModuleLoadRequest(string path, string? name = null, string? loader = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        NameGiven = !string.IsNullOrWhiteSpace(name);
        Name = NameGiven ? name! : System.IO.Path.GetFileNameWithoutExtension(Path);
        Loader = string.IsNullOrWhiteSpace(loader) ? null : loader;
    }

    /// <summary>The module's file, as a full path.</summary>
    public string Path { get; }

    /// <summary>The module's name on its node.</summary>
    public string Name { get; }

    /// <summary>
    /// True when the name was asked for rather than taken from the file: a module.yaml's <c>name</c> yields to a given
    /// name, not to a default.
    /// </summary>
    public bool NameGiven { get; }

    /// <summary>The loader asked for by name, or null to choose by the file's extension and first bytes.</summary>
    public string? Loader { get; }

    /// <summary>The node loading it (set by the node's service host): a module process is told it in its welcome.</summary>
    public string Node { get; init; } = "";

    /// <summary>
    /// The module's configuration, a JSON object (module.yaml's or app.yaml's <c>config</c>): a module process gets it
    /// in its welcome, an assembly module through its hooks. Null means none (an empty object).
    /// </summary>
    public JsonElement? Config { get; init; }

    /// <summary>Arguments for the module: a module process gets them in its welcome.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>How the module is supervised (restart policy, on-failure); null keeps the loader's default.</summary>
    public ModuleSupervisorOptions? Supervision { get; init; }

    /// <summary>
    /// Services the module must offer (module.yaml's <c>services</c>): a module lacking one is unloaded and the load
    /// fails naming it.
    /// </summary>
    public IReadOnlyList<string> RequiredServices { get; init; } = [];

    /// <summary>
    /// Instance modes by service name that replace what an assembly module's classes declare (module.yaml's
    /// <c>services: {NAME: {instance: MODE}}</c>). A process module declares its modes in its hello; naming one of its
    /// services here fails the load.
    /// </summary>
    public IReadOnlyDictionary<string, InstanceMode> InstanceModes { get; init; } = new Dictionary<string, InstanceMode>();

    /// <summary>The app that loaded this module, if any: <c>skein app stop</c> finds an app's modules by it.</summary>
    public string? App { get; init; }

    /// <summary>
    /// Where the module's files must really lie (a load asked for over the network); null for a module the node's
    /// operator named, which loads from anywhere. Checked at load, on the entry file a folder or module.yaml stands
    /// for, and again each time a module process starts.
    /// </summary>
    public ModulePaths? AllowedPaths { get; init; }
}
