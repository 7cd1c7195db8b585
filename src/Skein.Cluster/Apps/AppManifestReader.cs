using System.Text.RegularExpressions;
using Skein.Modules.Manifests;
using Skein.Yaml;
using YamlDotNet.RepresentationModel;

namespace Skein.Cluster.Apps;

/// <summary>
/// Reads <c>app.yaml</c> files. Bad content never throws: every problem is reported at once with its line and column,
/// as job files are, and unknown keys get the closest known one as a suggestion.
/// </summary>
public static partial class AppManifestReader
{
    /// <summary>The file name of an app in its own folder (<c>DIR/NAME/app.yaml</c>).</summary>
    public const string FileName = "app.yaml";

    /// <summary>The ending of an app file beside others in one folder (<c>DIR/NAME.app.yaml</c>).</summary>
    public const string FileSuffix = ".app.yaml";

    private static readonly string[] TopLevel = ["name", "description", "depends-on", "modules"];
    private static readonly string[] ModuleKeys = ["path", "module", "name", "node", "config", "args"];

    /// <summary>Reads the app file at <paramref name="path"/>; module paths in it are relative to its folder.</summary>
    public static AppManifestResult Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        if (YamlFileText.Read(fullPath, path, out var problem) is not { } text)
        {
            return new AppManifestResult(null, null, fullPath, [problem!]);
        }
        return Parse(text, fullPath);
    }

    /// <summary>Parses app file text; <paramref name="file"/> names it in messages and its folder anchors relative module paths.</summary>
    public static AppManifestResult Parse(string text, string file)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrWhiteSpace(file);
        var problems = new ProblemCollector(file);
        var reader = new NodeReader(problems);
        var (manifest, name) = Read(text, Path.GetFullPath(file), problems, reader);
        return new AppManifestResult(problems.HasErrors ? null : manifest, name, Path.GetFullPath(file), problems.ToList());
    }

    private static (AppManifest? Manifest, string? Name) Read(string text, string file, ProblemCollector problems, NodeReader reader)
    {
        if (YamlDocumentReader.ReadRoot(text, problems, "YAML file of an app", "'name' and 'modules'") is not { } root) return (null, null);

        YamlNode? nameNode = null, descriptionNode = null, dependsNode = null, modulesNode = null;
        SourceLocation? nameKey = null;
        foreach (var (key, value) in reader.KnownEntries(root, "at the top level of an app", TopLevel))
        {
            switch (key.Value)
            {
                case "name": nameNode = value; nameKey = key.Location; break;
                case "description": descriptionNode = value; break;
                case "depends-on": dependsNode = value; break;
                case "modules": modulesNode = value; break;
            }
        }

        var name = ReadName(root, nameNode, nameKey, problems, reader);
        var description = descriptionNode is null ? "" : reader.Text(descriptionNode, "'description'")?.Value ?? "";
        var dependencies = new List<AppDependency>();
        if (dependsNode is not null && reader.Names(dependsNode, "'depends-on'") is { } names)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var dependency in names)
            {
                if (!seen.Add(dependency.Value)) problems.Error($"'depends-on' names '{dependency.Value}' twice", dependency.Location);
                else if (dependency.Value == name) problems.Error($"app '{name}' cannot depend on itself", dependency.Location);
                else dependencies.Add(new AppDependency(dependency.Value, dependency.Location));
            }
        }
        var modules = modulesNode is null ? [] : ReadModules(modulesNode, Path.GetDirectoryName(file)!, problems, reader);
        if (modulesNode is null && dependencies.Count == 0)
            problems.Error("an app needs 'modules' (or at least 'depends-on', to group other apps)", root);

        if (name is null) return (null, null);
        return (new AppManifest(name, file) { Description = description, DependsOn = dependencies, Modules = modules }, name);
    }

    private static string? ReadName(YamlMappingNode root, YamlNode? node, SourceLocation? key, ProblemCollector problems, NodeReader reader)
    {
        if (node is null)
        {
            problems.Error("missing 'name': every app needs one, by which 'skein app start' and other apps' 'depends-on' know it", root);
            return null;
        }
        if (reader.Text(node, "'name'") is not { } name || string.IsNullOrWhiteSpace(name.Value))
        {
            if (NodeText.IsNull(node)) problems.Error("'name' is empty: every app needs one", key);
            return null;
        }
        if (!AppName().IsMatch(name.Value))
        {
            problems.Error($"'{name.Value}' is not a usable app name: use letters, digits, '-', '_' and '.', starting with a letter or digit", name.Location);
            return null;
        }
        return name.Value;
    }

    private static List<AppModule> ReadModules(YamlNode node, string directory, ProblemCollector problems, NodeReader reader)
    {
        var modules = new List<AppModule>();
        if (NodeText.IsNull(node)) return modules;
        if (node is not YamlSequenceNode sequence)
        {
            problems.Error($"'modules' must be a list of modules, each a mapping such as {{ path: stats.py }}, not {NodeText.Describe(node)}", node);
            return modules;
        }
        var names = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
        foreach (var entry in sequence.Children)
        {
            if (ReadModule(entry, directory, problems, reader) is not { } module) continue;
            if (names.TryGetValue(module.Name, out var first))
            {
                problems.Error($"two modules are named '{module.Name}' (the first at {first}); give one a different 'name'", module.Location);
                continue;
            }
            names[module.Name] = module.Location!.Value;
            modules.Add(module);
        }
        return modules;
    }

    private static AppModule? ReadModule(YamlNode node, string directory, ProblemCollector problems, NodeReader reader)
    {
        if (node is YamlScalarNode { Value: { Length: > 0 } shorthand } && !NodeText.IsNull(node))
        {
            problems.Error($"a module is a mapping such as {{ path: {shorthand} }} or {{ module: {shorthand} }}, not '{shorthand}'", node);
            return null;
        }
        if (reader.Mapping(node, "a module", "{ path: stats.py, config: { … } }", nullIsFine: false) is not { } mapping) return null;

        Located<string>? path = null, bare = null, alias = null, target = null;
        string? config = null;
        var arguments = new List<string>();
        var ok = true;
        foreach (var (key, value) in reader.KnownEntries(mapping, "in a module", ModuleKeys))
        {
            switch (key.Value)
            {
                case "path": path = NonEmpty(reader.Text(value, "a module's 'path'"), value, "a module's 'path'", problems); break;
                case "module": bare = NonEmpty(reader.Text(value, "a module's 'module'"), value, "a module's 'module'", problems); break;
                case "name": alias = NonEmpty(reader.Text(value, "a module's 'name'"), value, "a module's 'name'", problems); break;
                case "node": target = NonEmpty(reader.Text(value, "a module's 'node'"), value, "a module's 'node'", problems); break;
                case "config":
                    if (NodeText.IsNull(value)) break;
                    if (value is not YamlMappingNode configMapping)
                    {
                        problems.Error($"a module's 'config' must be a mapping such as {{ precision: 3 }}, not {NodeText.Describe(value)}", value);
                        ok = false;
                        break;
                    }
                    // The same reading of YAML values as module.yaml's config, so both reach a module alike.
                    config = YamlJson.ToJson(configMapping, problems).GetRawText();
                    break;
                case "args":
                    ok &= ReadArguments(value, arguments, problems, reader);
                    break;
            }
        }

        var at = problems.At(mapping);
        if (path is null && bare is null)
        {
            problems.Error("a module needs 'path' (a file or folder, relative to the app's folder) or 'module' (a module name the node knows)", at);
            return null;
        }
        if (path is not null && bare is not null)
        {
            problems.Error("a module has either 'path' or 'module', not both", bare.Value.Location);
            return null;
        }
        if (bare is { } b && (b.Value.Contains('/') || b.Value.Contains('\\')))
        {
            problems.Error($"'module' is a module's name, not a path: write 'path: {b.Value}' for a file or folder", b.Location);
            return null;
        }

        var source = path is { } p ? Path.GetFullPath(Path.Combine(directory, p.Value)) : bare!.Value.Value;
        var name = alias?.Value ?? DefaultName(source, path is not null);
        if (!ModuleName().IsMatch(name))
        {
            problems.Error($"'{name}' is not a usable module name: use letters, digits, '-' and '_' (no '.'), starting with a letter or digit" +
                (alias is null ? "; give the module a 'name'" : ""), alias?.Location ?? at);
            return null;
        }
        if (!ok) return null;
        return new AppModule(name, source) { Node = target?.Value, ConfigJson = config, Arguments = arguments, Location = at };
    }

    private static bool ReadArguments(YamlNode value, List<string> into, ProblemCollector problems, NodeReader reader)
    {
        if (NodeText.IsNull(value)) return true;
        if (value is YamlScalarNode)
        {
            problems.Error("a module's 'args' must be a list such as [--verbose, '3'], not one value", value);
            return false;
        }
        if (value is not YamlSequenceNode sequence)
        {
            problems.Error($"a module's 'args' must be a list of text, not {NodeText.Describe(value)}", value);
            return false;
        }
        var ok = true;
        foreach (var argument in sequence.Children)
        {
            if (reader.Text(argument, "an entry of a module's 'args'") is { } text) into.Add(text.Value);
            else ok = false;
        }
        return ok;
    }

    private static Located<string>? NonEmpty(Located<string>? text, YamlNode node, string what, ProblemCollector problems)
    {
        if (text is { } t && !string.IsNullOrWhiteSpace(t.Value)) return t;
        if (NodeText.IsNull(node)) problems.Error($"{what} is empty", node);
        return null;
    }

    /// <summary>A file's name without its extension, a folder's name (a module folder), or a bare module name as it is.</summary>
    private static string DefaultName(string source, bool isPath)
    {
        if (!isPath) return source;
        var trimmed = source.TrimEnd('/', '\\');
        return Directory.Exists(trimmed) ? Path.GetFileName(trimmed) : Path.GetFileNameWithoutExtension(trimmed);
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex AppName();

    // A module's name becomes one token of event subjects (module.NAME.state), so it may not hold a '.'.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex ModuleName();
}
