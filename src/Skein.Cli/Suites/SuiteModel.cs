using Skein.Engine;

namespace Skein.Cli.Suites;

/// <summary>
/// A directory of experiments with a <c>suite.yaml</c>: its identity in the tree ("framework/identity"), what it
/// deploys, the defaults its experiments and nested suites inherit, and its children.
/// </summary>
internal sealed class Suite
{
    /// <summary>The path of names from the top suite down, joined by '/': what <c>--only</c> and a config name it by.</summary>
    public required string Id { get; init; }

    public required string Name { get; init; }

    /// <summary>The suite's directory, absolute.</summary>
    public required string Directory { get; init; }

    public string? Description { get; init; }

    /// <summary>The defaults in effect here: the suite's own over those it inherits.</summary>
    public required ExperimentDefaults Defaults { get; init; }

    /// <summary>Modules this suite deploys (its own and its parents'), absolute paths: loaded on every node before experiments run.</summary>
    public IReadOnlyList<string> Modules { get; init; } = [];

    public List<Suite> Children { get; } = [];

    public List<Experiment> Experiments { get; } = [];

    /// <summary>This suite and every suite below it, parents first.</summary>
    public IEnumerable<Suite> SelfAndDescendants()
    {
        yield return this;
        foreach (var child in Children)
        {
            foreach (var suite in child.SelfAndDescendants()) yield return suite;
        }
    }
}

/// <summary>What a suite gives the experiments in it (and its nested suites) when they say nothing themselves.</summary>
internal sealed record ExperimentDefaults
{
    public TimeSpan? Timeout { get; init; }
    public int? Retries { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
}

/// <summary>One experiment: a script run as a process, or a C# method run by <c>skein run-experiment</c>, and what the scheduler needs to know about it.</summary>
internal sealed class Experiment
{
    public required Suite Suite { get; init; }

    /// <summary>Unique within its suite: the script's name without its extension, or the key under <c>experiments:</c>.</summary>
    public required string Name { get; init; }

    /// <summary>"suite/path::name": unique in a run, the engine task's id.</summary>
    public string Id => $"{Suite.Id}{ExperimentIds.Separator}{Name}";

    /// <summary>The script, absolute; for a C# experiment, its test assembly.</summary>
    public required string Script { get; init; }

    /// <summary>For a C# experiment, its method ("Namespace.Type::Method"); null for a script.</summary>
    public string? Method { get; init; }

    /// <summary>How the script is started: an interpreter and its arguments, ending with the script (or the script alone).</summary>
    public required IReadOnlyList<string> Command { get; init; }

    public string? Description { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Other experiments (full ids) that must pass first.</summary>
    public IReadOnlyList<string> Needs { get; init; } = [];

    /// <summary>Where each of <see cref="Needs"/> is written, in the same order.</summary>
    public IReadOnlyList<SourceLocation> NeedLocations { get; init; } = [];

    /// <summary>Resources held exclusively while it runs.</summary>
    public IReadOnlyList<string> Claims { get; init; } = [];

    /// <summary>Its own timeout, else its suite's; null: the config's.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Its own retries, else its suite's; null: the config's.</summary>
    public int? Retries { get; init; }

    public TaskPlacement? Placement { get; init; }

    /// <summary>Where it was declared: its entry in suite.yaml, or its script.</summary>
    public SourceLocation Source { get; init; }
}

/// <summary>How experiment and suite ids are written and checked.</summary>
internal static class ExperimentIds
{
    public const string Separator = "::";

    /// <summary>Letters, digits, '.', '_' and '-', starting with a letter or digit: safe in an id, a path and a shell word.</summary>
    public static bool IsValidName(string name)
    {
        if (name.Length is 0 or > 100 || !char.IsAsciiLetterOrDigit(name[0])) return false;
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-')) return false;
        }
        return true;
    }

    /// <summary>"suite/path::name" as its suite's id and its name.</summary>
    public static (string Suite, string Name) Split(string id)
    {
        var separator = id.LastIndexOf(Separator, StringComparison.Ordinal);
        return separator < 0 ? ("", id) : (id[..separator], id[(separator + Separator.Length)..]);
    }

    public const string NameRule = "letters, digits, '.', '_' and '-', starting with a letter or digit, at most 100 characters";
}
