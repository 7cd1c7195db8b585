using Skein.Yaml;

namespace Skein.Cli.Suites;

/// <summary>What a configuration (and <c>--only</c>) selects: the experiments to run, those skipped, those expected to fail.</summary>
internal sealed class TestSelection
{
    public required TestConfig Config { get; init; }

    /// <summary>Every experiment to run, with everything they need, in suite order.</summary>
    public required IReadOnlyList<Experiment> ToRun { get; init; }

    /// <summary>Experiments the configuration skips (or that need one it skips), with why.</summary>
    public required IReadOnlyList<(Experiment Experiment, string Reason)> Skipped { get; init; }

    /// <summary>The expected failures among <see cref="ToRun"/>, by experiment id.</summary>
    public required IReadOnlyDictionary<string, Expectation> ExpectedFailures { get; init; }

    /// <summary>Modules the deployment loads: the configuration's, then those of the suites that run.</summary>
    public required IReadOnlyList<string> Modules { get; init; }

    /// <summary>The variable that adds suite directories, separated by ':' as PATH is.</summary>
    public const string SuitePathVariable = "SKEIN_SUITE_PATH";

    /// <returns>The selection, or null when something is wrong (every problem is in <paramref name="problems"/>).</returns>
    public static TestSelection? Select(TestConfig config, IReadOnlyCollection<string>? only, string? suitePathVariable, List<ValidationProblem> problems)
    {
        var loader = new SuiteLoader(problems);
        var roots = new List<string>(config.SuitePath);
        foreach (var entry in (suitePathVariable ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Directory.Exists(entry)) roots.Add(Path.GetFullPath(entry));
            else problems.Add(ValidationProblem.Error($"{SuitePathVariable}: no such directory: {entry}"));
        }
        var onPath = roots.SelectMany(loader.Find).ToList();

        var selectedSuites = new List<Suite>();
        foreach (var entry in config.Suites)
        {
            var directory = Path.GetFullPath(Path.Combine(config.Directory, entry.Value));
            if (Directory.Exists(directory))
            {
                var found = loader.Find(directory);
                if (found.Count == 0 && SuiteLoader.HoldsSuites(directory) is false)
                    problems.Add(ValidationProblem.Error($"no suite in {entry.Value}: neither it nor a directory in it has a {SuiteLoader.SuiteFileName}", entry.Location));
                selectedSuites.AddRange(found);
                continue;
            }
            var byId = AllSuites(onPath).FirstOrDefault(s => s.Id == entry.Value);
            if (byId is null)
            {
                var hint = Suggest(entry.Value, AllSuites(onPath).Select(s => s.Id));
                problems.Add(ValidationProblem.Error(
                    $"no suite '{entry.Value}': it is no directory next to the configuration, nor a suite on the suite path ({(roots.Count == 0 ? $"none: add 'suite-path' or set {SuitePathVariable}" : string.Join(", ", roots))}){hint}",
                    entry.Location));
                continue;
            }
            selectedSuites.Add(byId);
        }

        // Every experiment Skein knows of in this run, for needs and --only: the selected suites' and the suite path's.
        var known = new Dictionary<string, Experiment>(StringComparer.Ordinal);
        foreach (var suite in AllSuites(selectedSuites.Concat(onPath)))
        {
            foreach (var experiment in suite.Experiments)
            {
                if (known.TryGetValue(experiment.Id, out var first) && first.Script != experiment.Script)
                {
                    problems.Add(ValidationProblem.Error($"two experiments are named '{experiment.Id}': {first.Script} and {experiment.Script}", experiment.Source));
                    continue;
                }
                known[experiment.Id] = experiment;
            }
        }
        var knownSuites = AllSuites(selectedSuites.Concat(onPath)).Select(s => s.Id).ToHashSet(StringComparer.Ordinal);

        var chosen = new List<Experiment>();
        foreach (var suite in AllSuites(selectedSuites)) chosen.AddRange(suite.Experiments);
        foreach (var entry in config.Experiments)
        {
            if (known.TryGetValue(entry.Value, out var single)) chosen.Add(single);
            else problems.Add(ValidationProblem.Error($"no experiment '{entry.Value}' in the suites named or on the suite path{Suggest(entry.Value, known.Keys)}", entry.Location));
        }

        if (only is { Count: > 0 })
        {
            var wanted = new List<Experiment>();
            foreach (var id in only)
            {
                if (id.Contains(ExperimentIds.Separator, StringComparison.Ordinal))
                {
                    if (known.TryGetValue(id, out var experiment)) wanted.Add(experiment);
                    else problems.Add(ValidationProblem.Error($"--only {id}: no such experiment{Suggest(id, known.Keys)}"));
                }
                else if (knownSuites.Contains(id))
                {
                    wanted.AddRange(known.Values.Where(e => e.Suite.Id == id || e.Suite.Id.StartsWith(id + "/", StringComparison.Ordinal)));
                }
                else
                {
                    problems.Add(ValidationProblem.Error($"--only {id}: no such suite or experiment (an experiment is SUITE::NAME){Suggest(id, knownSuites.Concat(known.Keys))}"));
                }
            }
            chosen = wanted;
        }

        // What the chosen ones need comes along, wherever it is.
        var toRun = new List<Experiment>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(Experiment experiment)
        {
            if (!seen.Add(experiment.Id)) return;
            for (var i = 0; i < experiment.Needs.Count; i++)
            {
                if (known.TryGetValue(experiment.Needs[i], out var needed)) Add(needed);
                else problems.Add(ValidationProblem.Error($"experiment '{experiment.Id}' needs '{experiment.Needs[i]}', which is no experiment{Suggest(experiment.Needs[i], known.Keys)}",
                    i < experiment.NeedLocations.Count ? experiment.NeedLocations[i] : experiment.Source));
            }
            toRun.Add(experiment);
        }
        foreach (var experiment in chosen) Add(experiment);

        CheckTargets(config.Skip, "skip", known, knownSuites, problems);
        CheckTargets(config.ExpectedFailures, "expected-failures", known, knownSuites, problems);
        if (toRun.Count == 0 && !problems.Exists(p => p.Severity == ProblemSeverity.Error))
            problems.Add(ValidationProblem.Error($"nothing to run: the suites of {Path.GetFileName(config.File)} hold no experiment"));
        if (problems.Exists(p => p.Severity == ProblemSeverity.Error)) return null;

        // Skipped by the configuration, then whatever needs a skipped one (it could not pass without it).
        var skipped = new List<(Experiment, string)>();
        var skippedIds = new HashSet<string>(StringComparer.Ordinal);
        var running = new List<Experiment>();
        foreach (var experiment in toRun)
        {
            string? reason = null;
            if (config.Skip.FirstOrDefault(s => s.Matches(experiment)) is { } skip) reason = $"skipped by the configuration{(skip.Reason is null ? "" : ": " + skip.Reason)}";
            else if (experiment.Needs.FirstOrDefault(skippedIds.Contains) is { } need) reason = $"skipped: it needs {need}, which is skipped";
            if (reason is null)
            {
                running.Add(experiment);
                continue;
            }
            skippedIds.Add(experiment.Id);
            skipped.Add((experiment, reason));
        }

        var expected = new Dictionary<string, Expectation>(StringComparer.Ordinal);
        foreach (var experiment in running)
        {
            if (config.ExpectedFailures.FirstOrDefault(x => x.Matches(experiment)) is { } expectation) expected[experiment.Id] = expectation;
        }
        var modules = new List<string>(config.Modules);
        foreach (var module in running.SelectMany(e => e.Suite.Modules))
        {
            if (!modules.Contains(module, StringComparer.Ordinal)) modules.Add(module);
        }
        return new TestSelection { Config = config, ToRun = running, Skipped = skipped, ExpectedFailures = expected, Modules = modules };
    }

    private static void CheckTargets(List<Expectation> targets, string key, Dictionary<string, Experiment> known, HashSet<string> knownSuites, List<ValidationProblem> problems)
    {
        foreach (var target in targets)
        {
            var id = target.Target.Value;
            if (known.ContainsKey(id) || knownSuites.Contains(id)) continue;
            problems.Add(ValidationProblem.Error($"'{key}' names '{id}', which is no experiment (SUITE::NAME) or suite{Suggest(id, knownSuites.Concat(known.Keys))}", target.Target.Location));
        }
    }

    private static IEnumerable<Suite> AllSuites(IEnumerable<Suite> tops)
    {
        var seen = new HashSet<Suite>();
        foreach (var top in tops)
        {
            foreach (var suite in top.SelfAndDescendants())
            {
                if (seen.Add(suite)) yield return suite;
            }
        }
    }

    private static string Suggest(string given, IEnumerable<string> candidates) =>
        KeySuggestion.Closest(given, candidates.Distinct().ToList()) is { } closest ? $"; did you mean '{closest}'?" : "";
}
