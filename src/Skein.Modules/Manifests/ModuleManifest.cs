using System.Text.Json;
using Skein.Modules.Lifecycle;
using Skein.Yaml;

namespace Skein.Modules.Manifests;

/// <summary>
/// A module folder's <c>module.yaml</c>, read and checked: what to load (<see cref="Entry"/>, with which loader), under
/// which name, how to supervise it, and the config and arguments it gets. <see cref="Read"/> reports every problem of
/// the file at once, each with its file:line:column.
/// </summary>
public sealed record ModuleManifest
{
    /// <summary>The file name that makes a folder a described module.</summary>
    public const string FileName = "module.yaml";

    /// <summary>The manifest file, as a full path.</summary>
    public required string ManifestPath { get; init; }

    /// <summary>The module's folder: the manifest's directory, which <see cref="Entry"/> is relative to.</summary>
    public string Folder => Path.GetDirectoryName(ManifestPath)!;

    /// <summary>The module's name on a node.</summary>
    public required string Name { get; init; }

    /// <summary>The file to load, as a full path inside <see cref="Folder"/>.</summary>
    public required string Entry { get; init; }

    /// <summary>The loader named by the manifest, or null to let the entry file decide.</summary>
    public string? Loader { get; init; }

    public string? Description { get; init; }

    /// <summary>Services the module must offer; loading it fails naming one it lacks.</summary>
    public IReadOnlyList<string> Services { get; init; } = [];

    /// <summary>Instance modes by service name, replacing what an assembly module's classes declare.</summary>
    public IReadOnlyDictionary<string, InstanceMode> InstanceModes { get; init; } = new Dictionary<string, InstanceMode>();

    /// <summary>The restart policy and on-failure action, or null when the manifest sets none of them.</summary>
    public ModuleSupervisorOptions? Supervision { get; init; }

    /// <summary>The manifest's <c>config</c> as a JSON object, or null when it has none.</summary>
    public JsonElement? Config { get; init; }

    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Reads and checks the manifest at <paramref name="path"/>.</summary>
    /// <exception cref="ModuleManifestException">The file cannot be read or has problems; every one is listed.</exception>
    public static ModuleManifest Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        if (YamlFileText.Read(full, full, out var problem) is not { } text) throw new ModuleManifestException(full, [problem!]);
        return Parse(text, full);
    }

    /// <summary>Reads a manifest from <paramref name="text"/> as if it were the file at <paramref name="path"/> (entry files are looked for beside it).</summary>
    /// <exception cref="ModuleManifestException">The text has problems; every one is listed.</exception>
    public static ModuleManifest Parse(string text, string path)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return new ModuleManifestReader(Path.GetFullPath(path)).Read(text);
    }

    /// <summary>
    /// The load request this manifest describes, with what <paramref name="asked"/> says explicitly winning: a given
    /// name or loader, supervision and arguments; its config is merged over the manifest's, key by key at the top.
    /// </summary>
    public ModuleLoadRequest ToRequest(ModuleLoadRequest asked)
    {
        ArgumentNullException.ThrowIfNull(asked);
        return new ModuleLoadRequest(Entry, asked.NameGiven ? asked.Name : Name, asked.Loader ?? Loader)
        {
            Node = asked.Node,
            Config = ConfigMerge.Shallow(Config, asked.Config),
            Arguments = asked.Arguments.Count > 0 ? asked.Arguments : Arguments,
            Supervision = asked.Supervision ?? Supervision,
            RequiredServices = [.. Services, .. asked.RequiredServices.Where(s => !Services.Contains(s, StringComparer.Ordinal))],
            InstanceModes = Merge(InstanceModes, asked.InstanceModes),
            App = asked.App,
        };
    }

    private static IReadOnlyDictionary<string, InstanceMode> Merge(IReadOnlyDictionary<string, InstanceMode> under, IReadOnlyDictionary<string, InstanceMode> over)
    {
        if (over.Count == 0) return under;
        var merged = new Dictionary<string, InstanceMode>(StringComparer.Ordinal);
        foreach (var (name, mode) in under) merged[name] = mode;
        foreach (var (name, mode) in over) merged[name] = mode;
        return merged;
    }
}
