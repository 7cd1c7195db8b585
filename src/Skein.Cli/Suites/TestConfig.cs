using Skein.Yaml;
using YamlDotNet.RepresentationModel;

namespace Skein.Cli.Suites;

/// <summary>
/// A <c>skein test</c> configuration: which suites and experiments, on what cluster, with which parameters, and what
/// is expected of them. Paths in it are relative to its directory.
/// </summary>
internal sealed class TestConfig
{
    /// <summary>Names the run in the journal (<c>--resume</c> continues the latest run of this name); default: the file's name.</summary>
    public required string Name { get; set; }
    public required string File { get; init; }
    public required string Directory { get; init; }

    /// <summary>Suite directories, or names of suites found on the suite path.</summary>
    public List<Located<string>> Suites { get; } = [];

    /// <summary>Single experiments, "suite::name", found on the suite path.</summary>
    public List<Located<string>> Experiments { get; } = [];

    /// <summary>More directories where suites named by name are looked for (absolute).</summary>
    public List<string> SuitePath { get; } = [];

    /// <summary>Modules every node of the embedded cluster loads before anything runs (absolute).</summary>
    public List<string> Modules { get; } = [];

    public List<Located<string>> Apps { get; } = [];

    /// <summary>How many nodes the embedded cluster has (when no address is given).</summary>
    public int Nodes { get; set; } = 2;

    /// <summary>Labels in <c>skein up --labels</c>'s form: "K=V,…" for every node, "node-2:K=V" for one.</summary>
    public List<string> Labels { get; } = [];

    /// <summary>An existing cluster, HOST:PORT; null: the embedded one.</summary>
    public Located<string>? Address { get; set; }
    public string? TokenFile { get; set; }

    /// <summary>Environment variables every experiment gets.</summary>
    public List<(Located<string> Name, Located<string> Value)> Parameters { get; } = [];

    public int? Parallelism { get; set; }
    public TimeSpan? Timeout { get; set; }
    public int? Retries { get; set; }

    /// <summary>Experiments or suites not run, with why.</summary>
    public List<Expectation> Skip { get; } = [];

    /// <summary>Experiments or suites expected to fail, with why.</summary>
    public List<Expectation> ExpectedFailures { get; } = [];

    public string? Report { get; set; }
}

/// <summary>An entry of <c>skip</c> or <c>expected-failures</c>: an experiment ("suite::name") or a whole suite, and why.</summary>
internal sealed record Expectation(Located<string> Target, string? Reason)
{
    public bool Matches(Experiment experiment)
    {
        var target = Target.Value;
        if (target.Contains(ExperimentIds.Separator, StringComparison.Ordinal)) return experiment.Id == target;
        var suite = experiment.Suite.Id;
        return suite == target || suite.StartsWith(target + "/", StringComparison.Ordinal);
    }
}

/// <summary>Reads a test configuration, every problem with file:line.</summary>
internal static class TestConfigReader
{
    private static readonly IReadOnlyList<string> TopKeys =
    [
        "name", "suites", "experiments", "suite-path", "modules", "apps", "cluster", "parameters", "parallelism", "timeout", "retries",
        "skip", "expected-failures", "report",
    ];

    private static readonly IReadOnlyList<string> ClusterKeys = ["nodes", "labels", "address", "token-file"];

    public static TestConfig? Read(string path, List<ValidationProblem> problems)
    {
        var full = Path.GetFullPath(path);
        if (YamlFileText.Read(full, path, out var unreadable) is not { } text)
        {
            problems.Add(unreadable!);
            return null;
        }
        var collector = new ProblemCollector(path);
        var reader = new NodeReader(collector);
        var directory = Path.GetDirectoryName(full)!;
        var config = new TestConfig { Name = Path.GetFileNameWithoutExtension(full), File = full, Directory = directory };
        if (YamlDocumentReader.ReadRoot(text, collector, "test configuration", "'suites' or 'experiments'") is not { } root)
        {
            problems.AddRange(collector.ToList());
            return null;
        }
        string? name = null;
        foreach (var (key, value) in reader.KnownEntries(root, "in a test configuration", TopKeys))
        {
            var what = $"'{key.Value}'";
            switch (key.Value)
            {
                case "name":
                    if (reader.Text(value, what) is { } given)
                    {
                        if (string.IsNullOrWhiteSpace(given.Value)) collector.Error("'name' is empty", given.Location);
                        else name = given.Value;
                    }
                    break;
                case "suites": config.Suites.AddRange(reader.Names(value, what) ?? []); break;
                case "experiments": config.Experiments.AddRange(reader.Names(value, what) ?? []); break;
                case "suite-path": config.SuitePath.AddRange(Directories(reader, value, what, directory)); break;
                case "modules":
                    foreach (var module in reader.Names(value, what) ?? [])
                    {
                        var modulePath = Path.GetFullPath(Path.Combine(directory, module.Value));
                        if (!File.Exists(modulePath) && !System.IO.Directory.Exists(modulePath)) collector.Error($"module not found: {module.Value} (looked for {modulePath})", module.Location);
                        else config.Modules.Add(modulePath);
                    }
                    break;
                case "apps": config.Apps.AddRange(reader.Names(value, what) ?? []); break;
                case "cluster": ReadCluster(reader, value, config); break;
                case "parameters": reader.Environment(value, what, config.Parameters); break;
                case "parallelism":
                    if (reader.WholeNumber(value, what, minimum: 1) is { } workers) config.Parallelism = workers.Value;
                    break;
                case "timeout": config.Timeout = reader.Duration(value, what, zeroAllowed: false)?.Value; break;
                case "retries":
                    if (reader.WholeNumber(value, what, minimum: 0) is { } retries)
                    {
                        if (retries.Value > ExperimentMetadata.MaxRetries) collector.Error($"'retries' is at most {ExperimentMetadata.MaxRetries}, not {retries.Value}", retries.Location);
                        else config.Retries = retries.Value;
                    }
                    break;
                case "skip": config.Skip.AddRange(Expectations(reader, value, what)); break;
                case "expected-failures": config.ExpectedFailures.AddRange(Expectations(reader, value, what)); break;
                case "report":
                    if (reader.Text(value, what) is { } report)
                    {
                        if (report.Value is "summary" or "detail" or "both") config.Report = report.Value;
                        else collector.Error($"'report' is summary, detail or both, not '{report.Value}'", report.Location);
                    }
                    break;
            }
        }
        if (config.Suites.Count == 0 && config.Experiments.Count == 0)
            collector.Error("the configuration names no 'suites' and no 'experiments': nothing would run", root);
        problems.AddRange(collector.ToList());
        if (collector.HasErrors) return null;
        if (name is not null) config.Name = name;
        return config;
    }

    private static IEnumerable<string> Directories(NodeReader reader, YamlNode value, string what, string baseDirectory)
    {
        foreach (var entry in reader.Names(value, what) ?? [])
        {
            var full = Path.GetFullPath(Path.Combine(baseDirectory, entry.Value));
            if (!System.IO.Directory.Exists(full))
            {
                reader.Problems.Error($"{what}: no such directory: {entry.Value} (looked for {full})", entry.Location);
                continue;
            }
            yield return full;
        }
    }

    private static void ReadCluster(NodeReader reader, YamlNode value, TestConfig config)
    {
        if (reader.Mapping(value, "'cluster'", "{ nodes: 2, labels: [gpu=true] } or { address: host:7000 }") is not { } mapping) return;
        var embedded = false;
        foreach (var (key, setting) in reader.KnownEntries(mapping, "in cluster", ClusterKeys))
        {
            var what = $"'{key.Value}' in cluster";
            switch (key.Value)
            {
                case "nodes":
                    embedded = true;
                    if (reader.WholeNumber(setting, what, minimum: 1) is { } nodes)
                    {
                        if (nodes.Value > 64) reader.Problems.Error($"{what} is at most 64 for the embedded cluster, not {nodes.Value}", nodes.Location);
                        else config.Nodes = nodes.Value;
                    }
                    break;
                case "labels":
                    embedded = true;
                    config.Labels.AddRange((reader.Names(setting, what) ?? []).Select(l => l.Value));
                    break;
                case "address": config.Address = reader.Text(setting, what); break;
                case "token-file":
                    if (reader.Text(setting, what) is { } tokenFile) config.TokenFile = Path.GetFullPath(Path.Combine(config.Directory, tokenFile.Value));
                    break;
            }
        }
        if (embedded && config.Address is { } address)
            reader.Problems.Error("'address' names an existing cluster: 'nodes' and 'labels' are for the embedded one, and cannot go with it", address.Location);
    }

    /// <summary>A list of targets, or a mapping of target to reason.</summary>
    private static List<Expectation> Expectations(NodeReader reader, YamlNode value, string what)
    {
        var list = new List<Expectation>();
        if (value is YamlMappingNode mapping)
        {
            foreach (var (target, reason) in reader.Entries(mapping))
                list.Add(new Expectation(target, NodeText.IsNull(reason) ? null : reader.Text(reason, $"the reason for '{target.Value}' in {what}")?.Value));
            return list;
        }
        foreach (var target in reader.Names(value, what) ?? []) list.Add(new Expectation(target, null));
        return list;
    }
}
