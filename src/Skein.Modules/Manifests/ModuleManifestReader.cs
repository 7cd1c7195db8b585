using System.Text.RegularExpressions;
using Skein.Modules.Lifecycle;
using Skein.Yaml;
using YamlDotNet.RepresentationModel;

namespace Skein.Modules.Manifests;

/// <summary>
/// Reads one module.yaml with the job files' YAML helpers, so positions, typos ("did you mean") and wrong types read
/// the same in both. Every problem is collected before failing, so one attempt shows them all.
/// </summary>
internal sealed partial class ModuleManifestReader(string path)
{
    private static readonly string[] Keys =
        ["name", "entry", "loader", "description", "services", "restart", "max-restarts", "within", "backoff", "max-backoff", "on-failure", "config", "args"];

    private static readonly string[] RestartKeys = ["restart", "max-restarts", "within", "backoff", "max-backoff"];

    private readonly ProblemCollector _problems = new(path);

    public ModuleManifest Read(string text)
    {
        var reader = new NodeReader(_problems);
        var root = YamlDocumentReader.ReadRoot(text, _problems, ModuleManifest.FileName, "'name' and 'entry'");
        if (root is null) throw Failed();

        var entries = reader.KnownEntries(root, "in module.yaml", Keys);
        var values = entries.ToDictionary(e => e.Key.Value, e => (e.Key, e.Value), StringComparer.Ordinal);
        var name = RequiredText(reader, values, "name", root);
        if (name is { } given && !ValidName().IsMatch(given.Value))
            _problems.Error($"name: '{given.Value}' is not a module name: use letters, digits, '-' and '_', starting with a letter or digit", given.Location);
        var entry = Entry(RequiredText(reader, values, "entry", root));
        var loader = OptionalText(reader, values, "loader");
        var description = OptionalText(reader, values, "description");
        var (services, modes) = values.TryGetValue("services", out var s) ? Services(reader, s.Value) : ([], []);
        var supervision = Supervision(reader, values);
        var config = values.TryGetValue("config", out var c) ? Config(reader, c.Value) : null;
        var args = values.TryGetValue("args", out var a) ? Arguments(a.Value) : null;

        if (_problems.HasErrors) throw Failed();
        return new ModuleManifest
        {
            ManifestPath = path,
            Name = name!.Value.Value,
            Entry = entry!,
            Loader = loader,
            Description = description,
            Services = services,
            InstanceModes = modes,
            Supervision = supervision,
            Config = config,
            Arguments = args ?? [],
        };
    }

    private ModuleManifestException Failed() => new(path, _problems.ToList());

    private Located<string>? RequiredText(NodeReader reader, Dictionary<string, (Located<string> Key, YamlNode Value)> values, string key, YamlNode root)
    {
        if (!values.TryGetValue(key, out var found))
        {
            _problems.Error($"'{key}' is required", root);
            return null;
        }
        var text = reader.Text(found.Value, $"'{key}'");
        if (text is null && NodeText.IsNull(found.Value)) _problems.Error($"'{key}' is empty", found.Value);
        return text is { Value.Length: > 0 } ? text : null;
    }

    private static string? OptionalText(NodeReader reader, Dictionary<string, (Located<string> Key, YamlNode Value)> values, string key) =>
        values.TryGetValue(key, out var found) && reader.Text(found.Value, $"'{key}'") is { } text && !string.IsNullOrWhiteSpace(text.Value) ? text.Value : null;

    /// <summary>The entry file as a full path; it must exist and stay inside the module's folder (the node's allowlist checked the folder).</summary>
    private string? Entry(Located<string>? entry)
    {
        if (entry is not { } given) return null;
        var folder = Path.GetDirectoryName(path)!;
        var full = Path.GetFullPath(Path.Combine(folder, given.Value));
        var inside = Path.TrimEndingDirectorySeparator(folder) + Path.DirectorySeparatorChar;
        if (Directory.Exists(full))
        {
            _problems.Error($"entry: '{given.Value}' is a folder; name the file to load", given.Location);
            return null;
        }
        if (!full.StartsWith(inside, StringComparison.Ordinal))
        {
            _problems.Error($"entry: '{given.Value}' is outside the module's folder {folder}; name a file inside it", given.Location);
            return null;
        }
        if (!File.Exists(full))
        {
            _problems.Error($"entry: '{given.Value}' does not exist (looked for {full})", given.Location);
            return null;
        }
        return full;
    }

    /// <summary>
    /// The restart keys go through <see cref="RestartPolicy.Parse"/> together, as the policy is only valid as a whole
    /// (backoff against max-backoff); its message names the key, which says where to point.
    /// </summary>
    private ModuleSupervisorOptions? Supervision(NodeReader reader, Dictionary<string, (Located<string> Key, YamlNode Value)> values)
    {
        var texts = new Dictionary<string, Located<string>>(StringComparer.Ordinal);
        foreach (var key in RestartKeys)
        {
            if (values.TryGetValue(key, out var found) && reader.Text(found.Value, $"'{key}'") is { } text) texts[key] = text;
        }
        RestartPolicy? policy = null;
        if (texts.Count > 0)
        {
            try
            {
                policy = RestartPolicy.Parse(Get("restart"), Get("max-restarts"), Get("within"), Get("backoff"), Get("max-backoff"));
            }
            catch (FormatException ex)
            {
                var named = texts.FirstOrDefault(t => ex.Message.StartsWith(t.Key + ":", StringComparison.Ordinal));
                _problems.Error(ex.Message, named.Key is null ? texts.Values.First().Location : named.Value.Location);
            }
        }
        ModuleFailureAction? onFailure = null;
        if (values.TryGetValue("on-failure", out var failure) && reader.Text(failure.Value, "'on-failure'") is { } action)
        {
            try
            {
                onFailure = ModuleFailureActions.Parse(action.Value);
            }
            catch (FormatException ex)
            {
                _problems.Error(ex.Message, action.Location);
            }
        }
        if (policy is null && onFailure is null) return null;
        return new ModuleSupervisorOptions { Restart = policy ?? RestartPolicy.Default, OnFailure = onFailure ?? ModuleFailureAction.Withdraw };

        string? Get(string key) => texts.TryGetValue(key, out var text) ? text.Value : null;
    }

    /// <summary>
    /// <c>services</c>: a list of names (<c>[stats]</c>), or a mapping of name to options, where <c>instance</c> sets the
    /// service's instance mode (<c>greeter: {instance: singleton}</c>; an empty value for none).
    /// </summary>
    private (List<string> Names, Dictionary<string, InstanceMode> Modes) Services(NodeReader reader, YamlNode node)
    {
        var names = new List<string>();
        var modes = new Dictionary<string, InstanceMode>(StringComparer.Ordinal);
        if (node is not YamlMappingNode mapping)
        {
            foreach (var name in reader.Names(node, "'services'") ?? [])
            {
                if (!names.Contains(name.Value, StringComparer.Ordinal)) names.Add(name.Value);
            }
            return (names, modes);
        }
        foreach (var (name, value) in reader.Entries(mapping))
        {
            names.Add(name.Value);
            var where = $"of service '{name.Value}' in 'services'";
            if (reader.Mapping(value, $"the options {where}", "{ instance: singleton }") is not { } options) continue;
            foreach (var (key, setting) in reader.KnownEntries(options, where, ["instance"]))
            {
                if (reader.Text(setting, $"'instance' {where}") is not { } mode) continue;
                if (InstanceModeText(mode.Value) is { } parsed) modes[name.Value] = parsed;
                else _problems.Error($"'instance' {where} must be per-connection, singleton or pooled, not '{mode.Value}'", mode.Location);
            }
        }
        return (names, modes);
    }

    private static InstanceMode? InstanceModeText(string text) => text.Trim().ToLowerInvariant() switch
    {
        "per-connection" => InstanceMode.PerConnection,
        "singleton" => InstanceMode.Singleton,
        "pooled" => InstanceMode.Pooled,
        _ => null,
    };

    private System.Text.Json.JsonElement? Config(NodeReader reader, YamlNode node)
    {
        if (reader.Mapping(node, "'config'", "{ key: value }") is not { } mapping) return null;
        return YamlJson.ToJson(mapping, _problems);
    }

    private List<string>? Arguments(YamlNode node)
    {
        if (NodeText.IsNull(node)) return [];
        if (node is not YamlSequenceNode sequence)
        {
            _problems.Error($"'args' must be a list of text such as [--verbose, input.txt], not {NodeText.Describe(node)}", node);
            return null;
        }
        var args = new List<string>(sequence.Children.Count);
        foreach (var item in sequence.Children)
        {
            if (item is YamlScalarNode { Value: { } text } && !NodeText.IsNull(item)) args.Add(text);
            else _problems.Error($"an entry of 'args' must be text, not {NodeText.Describe(item)}", item);
        }
        return args;
    }

    // A module's name is one token of its event subjects (module.NAME.state), so no dots; and it must be a plain word.
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]*$")]
    private static partial Regex ValidName();
}
