using Skein.Yaml;
using YamlDotNet.RepresentationModel;

namespace Skein.Cli.Suites;

/// <summary>
/// Reads suites from directories: a directory with a <c>suite.yaml</c> is a suite, and each of its sub-directories
/// with one is a suite nested in it, to any depth. Every problem of every file is collected, each with file:line, so
/// one pass shows them all.
/// </summary>
internal sealed class SuiteLoader
{
    public const string SuiteFileName = "suite.yaml";

    /// <summary>How deep suites nest, and how many a run may read: a tree made by mistake (a link loop) stops here.</summary>
    public const int MaxDepth = 16;
    public const int MaxSuites = 1_000;
    public const int MaxExperiments = 10_000;

    private static readonly IReadOnlyList<string> TopKeys = ["name", "description", "defaults", "deploys", "experiments", "discover", "assemblies"];
    private static readonly IReadOnlyList<string> DefaultKeys = ["timeout", "retries", "tags"];
    private static readonly IReadOnlyList<string> DeployKeys = ["modules"];

    /// <summary>Files in a suite directory that are never experiments, even when executable.</summary>
    private static readonly HashSet<string> NotScripts = new(StringComparer.OrdinalIgnoreCase) { ".md", ".txt", ".yaml", ".yml", ".json", ".csv", ".xml", ".log" };

    private readonly List<ValidationProblem> _problems;
    private readonly Dictionary<string, Suite> _byDirectory = new(StringComparer.Ordinal);
    private int _experiments;

    public SuiteLoader(List<ValidationProblem> problems) => _problems = problems;

    /// <summary>The suites at <paramref name="directory"/>: itself when it has a suite.yaml, else each of its sub-directories that has one.</summary>
    /// <returns>The top suites found (already read ones are returned again, not re-read).</returns>
    public List<Suite> Find(string directory)
    {
        var full = Path.GetFullPath(directory);
        if (File.Exists(Path.Combine(full, SuiteFileName))) return Load(full, null, 0) is { } suite ? [suite] : [];
        var found = new List<Suite>();
        foreach (var sub in SubDirectories(full))
        {
            if (File.Exists(Path.Combine(sub, SuiteFileName)) && Load(sub, null, 0) is { } suite) found.Add(suite);
        }
        return found;
    }

    /// <summary>Whether <paramref name="directory"/> holds any suite (itself or a child).</summary>
    public static bool HoldsSuites(string directory) =>
        File.Exists(Path.Combine(directory, SuiteFileName)) || SubDirectories(directory).Any(d => File.Exists(Path.Combine(d, SuiteFileName)));

    private Suite? Load(string directory, Suite? parent, int depth)
    {
        if (_byDirectory.TryGetValue(directory, out var known)) return known;
        var file = Path.Combine(directory, SuiteFileName);
        if (depth >= MaxDepth)
        {
            _problems.Add(ValidationProblem.Error($"suites nest at most {MaxDepth} deep; {file} is deeper"));
            return null;
        }
        if (_byDirectory.Count >= MaxSuites)
        {
            _problems.Add(ValidationProblem.Error($"a run reads at most {MaxSuites} suites; {file} is one more"));
            return null;
        }
        var problems = new ProblemCollector(file);
        var reader = new NodeReader(problems);
        YamlMappingNode? root = null;
        if (YamlFileText.Read(file, file, out var unreadable) is { } text)
        {
            root = YamlDocumentReader.ReadRoot(text, problems, "suite file", "'name', 'description', 'defaults' or 'experiments'");
        }
        else
        {
            _problems.Add(unreadable!);
        }

        var name = Path.GetFileName(directory);
        SourceLocation? nameAt = null;
        string? description = null;
        var defaults = parent?.Defaults ?? new ExperimentDefaults();
        var modules = new List<string>(parent?.Modules ?? []);
        YamlMappingNode? entries = null;
        var discover = true;
        var assemblies = new List<Located<string>>();
        if (root is not null)
        {
            foreach (var (key, value) in reader.KnownEntries(root, "in a suite file", TopKeys))
            {
                switch (key.Value)
                {
                    case "name":
                        if (reader.Text(value, "'name'") is { } given)
                        {
                            name = given.Value;
                            nameAt = given.Location;
                        }
                        break;
                    case "description": description = reader.Text(value, "'description'")?.Value; break;
                    case "defaults": defaults = ReadDefaults(value, reader, defaults); break;
                    case "deploys": ReadDeploys(value, reader, directory, modules); break;
                    case "experiments": entries = reader.Mapping(value, "'experiments'", "{ login: { timeout: 30s } }"); break;
                    case "discover": discover = reader.Boolean(value, "'discover'") ?? true; break;
                    case "assemblies": assemblies = ReadAssemblies(value, reader, directory); break;
                }
            }
        }
        if (!ExperimentIds.IsValidName(name))
        {
            problems.Error($"suite name '{name}' is not valid: use {ExperimentIds.NameRule}" +
                (nameAt is null ? " (it is the directory's name: give the suite a 'name')" : ""), nameAt ?? new SourceLocation(file, 1, 1));
            name = "invalid";
        }

        var suite = new Suite
        {
            Id = parent is null ? name : $"{parent.Id}/{name}",
            Name = name,
            Directory = directory,
            Description = description,
            Defaults = defaults,
            Modules = modules,
        };
        _byDirectory[directory] = suite;
        ReadExperiments(suite, entries, discover, assemblies, reader);
        _problems.AddRange(problems.ToList());

        var childNames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var sub in SubDirectories(directory))
        {
            if (!File.Exists(Path.Combine(sub, SuiteFileName)) || Load(sub, suite, depth + 1) is not { } child) continue;
            if (childNames.TryGetValue(child.Name, out var first))
            {
                _problems.Add(ValidationProblem.Error($"two suites in {directory} are named '{child.Name}': {first} and {sub}", new SourceLocation(Path.Combine(sub, SuiteFileName), 1, 1)));
                continue;
            }
            childNames[child.Name] = sub;
            suite.Children.Add(child);
        }
        return suite;
    }

    private static ExperimentDefaults ReadDefaults(YamlNode node, NodeReader reader, ExperimentDefaults inherited)
    {
        if (reader.Mapping(node, "'defaults'", "{ timeout: 30s, retries: 1, tags: [smoke] }") is not { } mapping) return inherited;
        var defaults = inherited;
        foreach (var (key, value) in reader.KnownEntries(mapping, "in defaults", DefaultKeys))
        {
            var what = $"'{key.Value}' in defaults";
            switch (key.Value)
            {
                case "timeout":
                    if (reader.Duration(value, what, zeroAllowed: false) is { } timeout) defaults = defaults with { Timeout = timeout.Value };
                    break;
                case "retries":
                    if (reader.WholeNumber(value, what, minimum: 0) is { } retries)
                    {
                        if (retries.Value > ExperimentMetadata.MaxRetries) reader.Problems.Error($"{what} is at most {ExperimentMetadata.MaxRetries}, not {retries.Value}", retries.Location);
                        else defaults = defaults with { Retries = retries.Value };
                    }
                    break;
                case "tags":
                    if (reader.Names(value, what) is { } tags) defaults = defaults with { Tags = [.. inherited.Tags, .. tags.Select(t => t.Value)] };
                    break;
            }
        }
        return defaults;
    }

    private static void ReadDeploys(YamlNode node, NodeReader reader, string directory, List<string> modules)
    {
        if (reader.Mapping(node, "'deploys'", "{ modules: [services/bin/Services.dll] }") is not { } mapping) return;
        foreach (var (key, value) in reader.KnownEntries(mapping, "in deploys", DeployKeys))
        {
            foreach (var module in reader.Names(value, "'modules' in deploys") ?? [])
            {
                var path = Path.GetFullPath(Path.Combine(directory, module.Value));
                if (!File.Exists(path) && !Directory.Exists(path)) reader.Problems.Error($"module not found: {module.Value} (looked for {path})", module.Location);
                else if (!modules.Contains(path, StringComparer.Ordinal)) modules.Add(path);
            }
        }
    }

    /// <summary><c>assemblies: [bin/Tests.dll]</c>: test assemblies whose [Experiment] methods are experiments of the suite (absolute, each where it is written).</summary>
    private static List<Located<string>> ReadAssemblies(YamlNode node, NodeReader reader, string directory)
    {
        var assemblies = new List<Located<string>>();
        foreach (var entry in reader.Names(node, "'assemblies'") ?? [])
        {
            var path = Path.GetFullPath(Path.Combine(directory, entry.Value));
            if (!File.Exists(path)) reader.Problems.Error($"test assembly not found: {entry.Value} (looked for {path}; build it first)", entry.Location);
            else if (!assemblies.Exists(a => a.Value == path)) assemblies.Add(new Located<string>(path, entry.Location));
        }
        return assemblies;
    }

    /// <summary>The [Experiment] methods of the suite's test assemblies, by name; every problem said with the assembly's entry in suite.yaml.</summary>
    private static Dictionary<string, (CSharpExperiment Method, SourceLocation At)> ReadMethods(Suite suite, List<Located<string>> assemblies, NodeReader reader)
    {
        var methods = new Dictionary<string, (CSharpExperiment, SourceLocation)>(StringComparer.Ordinal);
        foreach (var assembly in assemblies)
        {
            var problems = new List<string>();
            List<CSharpExperiment> found;
            try
            {
                using var loaded = ExperimentAssembly.Load(assembly.Value);
                found = loaded.FindExperiments(problems);
            }
            catch (SkeinException ex)
            {
                reader.Problems.Error(ex.Message, assembly.Location);
                continue;
            }
            foreach (var problem in problems) reader.Problems.Error(problem, assembly.Location);
            if (found.Count == 0 && problems.Count == 0)
                reader.Problems.Error($"{assembly.Value} has no experiment: no method is marked [Experiment] (Skein.Testing)", assembly.Location);
            foreach (var method in found)
            {
                if (methods.TryGetValue(method.Name, out var other))
                    reader.Problems.Error($"two methods make experiment '{method.Name}' in suite '{suite.Id}': {other.Item1.Method} and {method.Method}; give one a Name", assembly.Location);
                else methods[method.Name] = (method, assembly.Location);
            }
        }
        return methods;
    }

    /// <summary>The experiments: every runnable file of the directory (unless discover is off) and every [Experiment] method of its assemblies, with what suite.yaml says of each.</summary>
    private void ReadExperiments(Suite suite, YamlMappingNode? entries, bool discover, List<Located<string>> assemblies, NodeReader reader)
    {
        var declared = new Dictionary<string, (Located<string> Key, ExperimentMetadata Metadata)>(StringComparer.Ordinal);
        if (entries is not null)
        {
            foreach (var (key, value) in reader.Entries(entries))
            {
                if (!ExperimentIds.IsValidName(key.Value))
                {
                    reader.Problems.Error($"experiment name '{key.Value}' is not valid: use {ExperimentIds.NameRule}", key.Location);
                    continue;
                }
                var where = $"in experiment '{key.Value}'";
                var metadata = reader.Mapping(value, $"experiment '{key.Value}'", "{ timeout: 30s, tags: [REQ-1] }") is { } mapping
                    ? ExperimentMetadata.Read(mapping, reader, where, ExperimentMetadata.EntryKeys)
                    : new ExperimentMetadata();
                declared[key.Value] = (key, metadata);
            }
        }

        // Scripts by name: "login" for login.sh. Two scripts of one name are a mistake only if both would be taken.
        var scripts = new Dictionary<string, string>(StringComparer.Ordinal);
        if (discover)
        {
            foreach (var file in Files(suite.Directory))
            {
                var fileName = Path.GetFileName(file);
                if (fileName == SuiteFileName || fileName.StartsWith('.') || fileName.StartsWith('_') || NotScripts.Contains(Path.GetExtension(file))) continue;
                if (!ScriptCommand.LooksRunnable(file)) continue;
                var stem = Path.GetFileNameWithoutExtension(file);
                if (scripts.TryGetValue(stem, out var other))
                {
                    _problems.Add(ValidationProblem.Error(
                        $"two scripts make experiment '{stem}' in suite '{suite.Id}': {Path.GetFileName(other)} and {fileName}; rename one, or start a helper's name with '_'",
                        new SourceLocation(file, 1, 1)));
                    continue;
                }
                scripts[stem] = file;
            }
        }
        var methods = ReadMethods(suite, assemblies, reader);
        foreach (var (name, (method, _)) in methods)
        {
            if (scripts.TryGetValue(name, out var script))
            {
                reader.Problems.Error($"experiment '{name}' of suite '{suite.Id}' is both the script {Path.GetFileName(script)} and the method {method.Method}; rename one", methods[name].At);
                scripts.Remove(name);
            }
        }
        foreach (var (name, (key, metadata)) in declared)
        {
            if (metadata.ScriptPath is { } given)
            {
                var path = Path.GetFullPath(Path.Combine(suite.Directory, given.Value));
                if (!File.Exists(path))
                {
                    reader.Problems.Error($"experiment '{name}': script not found: {given.Value} (looked for {path})", given.Location);
                    scripts.Remove(name);
                    continue;
                }
                scripts[name] = path;
                methods.Remove(name);
            }
            else if (!scripts.ContainsKey(name) && !methods.ContainsKey(name))
            {
                reader.Problems.Error($"experiment '{name}' has no script: no runnable file named {name}.* in {suite.Directory} and no [Experiment] method of that name; give it a 'script'", key.Location);
            }
        }

        foreach (var (name, script) in scripts.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!ExperimentIds.IsValidName(name))
            {
                _problems.Add(ValidationProblem.Error($"script {Path.GetFileName(script)} makes experiment name '{name}', which is not valid: use {ExperimentIds.NameRule}, or start a helper's name with '_'",
                    new SourceLocation(script, 1, 1)));
                continue;
            }
            if (_experiments >= MaxExperiments)
            {
                _problems.Add(ValidationProblem.Error($"a run reads at most {MaxExperiments} experiments; {script} is one more"));
                return;
            }
            _experiments++;
            declared.TryGetValue(name, out var entry);
            if (Build(suite, name, script, entry.Metadata, entry.Key) is { } experiment) suite.Experiments.Add(experiment);
        }
        foreach (var (name, (method, at)) in methods.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!ExperimentIds.IsValidName(name))
            {
                reader.Problems.Error($"method {method.Method} makes experiment name '{name}', which is not valid: use {ExperimentIds.NameRule} (set the attribute's Name)", at);
                continue;
            }
            if (_experiments >= MaxExperiments)
            {
                _problems.Add(ValidationProblem.Error($"a run reads at most {MaxExperiments} experiments; {method.Method} is one more"));
                return;
            }
            _experiments++;
            var isDeclared = declared.TryGetValue(name, out var entry);
            var metadata = (entry.Metadata ?? new ExperimentMetadata()).Over(MethodMetadata.Read(method, at, reader.Problems));
            suite.Experiments.Add(Create(suite, name, method.Assembly, MethodMetadata.Command(method), metadata, isDeclared ? entry.Key.Location : at, method.Method));
        }
        suite.Experiments.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
    }

    private Experiment? Build(Suite suite, string name, string script, ExperimentMetadata? fromSuiteFile, Located<string>? entryKey)
    {
        string? header;
        string? firstLine;
        try
        {
            header = ScriptHeader.ReadYaml(script, out firstLine);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _problems.Add(ValidationProblem.Error($"cannot read {script}: {ex.Message}"));
            return null;
        }
        var metadata = fromSuiteFile ?? new ExperimentMetadata();
        if (header is not null)
        {
            var problems = new ProblemCollector(script);
            var reader = new NodeReader(problems);
            if (YamlDocumentReader.ReadRoot(header, problems, "script header", "'# skein: KEY: VALUE' lines") is { } mapping)
                metadata = metadata.Over(ExperimentMetadata.Read(mapping, reader, "in the script's header", ExperimentMetadata.HeaderKeys));
            _problems.AddRange(problems.ToList());
        }
        if (ScriptCommand.For(script, firstLine, out var problem) is not { } command)
        {
            _problems.Add(ValidationProblem.Error(problem!, new SourceLocation(script, 1, 1)));
            return null;
        }
        return Create(suite, name, script, command, metadata, entryKey?.Location ?? new SourceLocation(script, 1, 1), null);
    }

    private static Experiment Create(Suite suite, string name, string script, IReadOnlyList<string> command, ExperimentMetadata metadata, SourceLocation source, string? method)
    {
        var needs = new List<string>();
        foreach (var need in metadata.NeedList ?? [])
            needs.Add(need.Value.Contains(ExperimentIds.Separator, StringComparison.Ordinal) ? need.Value : $"{suite.Id}{ExperimentIds.Separator}{need.Value}");
        return new Experiment
        {
            Suite = suite,
            Name = name,
            Script = script,
            Command = command,
            Description = metadata.DescriptionText,
            Tags = [.. suite.Defaults.Tags, .. (metadata.TagList ?? []).Select(t => t.Value)],
            Needs = needs,
            NeedLocations = (metadata.NeedList ?? []).Select(n => n.Location).ToList(),
            Claims = (metadata.ClaimList ?? []).Select(c => c.Value).ToList(),
            Timeout = metadata.TimeoutValue?.Value ?? suite.Defaults.Timeout,
            Retries = metadata.RetryCount?.Value ?? suite.Defaults.Retries,
            Placement = metadata.Placement,
            Source = source,
            Method = method,
        };
    }

    private static IEnumerable<string> SubDirectories(string directory)
    {
        try
        {
            return Directory.GetDirectories(directory).Where(d => !Path.GetFileName(d).StartsWith('.')).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static IEnumerable<string> Files(string directory)
    {
        try
        {
            return Directory.GetFiles(directory).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
