using Skein.Engine;
using Skein.Yaml;
using YamlDotNet.RepresentationModel;

namespace Skein.Cli.Suites;

/// <summary>
/// What an experiment says about itself, as written: in its entry under <c>experiments:</c> of suite.yaml, or in
/// the <c># skein:</c> header of its script. Absent values stay null so the two can be laid over each other and over
/// the suite's defaults.
/// </summary>
internal sealed record ExperimentMetadata
{
    public const string Script = "script";
    public const string Description = "description";
    public const string Tags = "tags";
    public const string Needs = "needs";
    public const string Claims = "claims";
    public const string Timeout = "timeout";
    public const string Retries = "retries";
    public const string On = "on";

    /// <summary>The keys a script's header may hold; an entry of suite.yaml may also name its <c>script</c>.</summary>
    public static readonly IReadOnlyList<string> HeaderKeys = [Description, Tags, Needs, Claims, Timeout, Retries, On];

    public static readonly IReadOnlyList<string> EntryKeys = [Script, .. HeaderKeys];

    /// <summary>The most retries an experiment may ask for: more hides a broken one behind noise.</summary>
    public const int MaxRetries = 10;

    public Located<string>? ScriptPath { get; init; }
    public string? DescriptionText { get; init; }
    public IReadOnlyList<Located<string>>? TagList { get; init; }
    public IReadOnlyList<Located<string>>? NeedList { get; init; }
    public IReadOnlyList<Located<string>>? ClaimList { get; init; }
    public Located<TimeSpan>? TimeoutValue { get; init; }
    public Located<int>? RetryCount { get; init; }
    public TaskPlacement? Placement { get; init; }

    /// <summary>This metadata with <paramref name="lower"/>'s values where this one says nothing.</summary>
    public ExperimentMetadata Over(ExperimentMetadata lower) => new()
    {
        ScriptPath = ScriptPath ?? lower.ScriptPath,
        DescriptionText = DescriptionText ?? lower.DescriptionText,
        TagList = TagList ?? lower.TagList,
        NeedList = NeedList ?? lower.NeedList,
        ClaimList = ClaimList ?? lower.ClaimList,
        TimeoutValue = TimeoutValue ?? lower.TimeoutValue,
        RetryCount = RetryCount ?? lower.RetryCount,
        Placement = Placement ?? lower.Placement,
    };

    /// <summary>Reads a mapping of experiment keys; every problem goes to the reader's collector, where it is.</summary>
    public static ExperimentMetadata Read(YamlMappingNode mapping, NodeReader reader, string where, IReadOnlyList<string> keys)
    {
        Located<string>? script = null;
        string? description = null;
        List<Located<string>>? tags = null, needs = null, claims = null;
        Located<TimeSpan>? timeout = null;
        Located<int>? retries = null;
        TaskPlacement? placement = null;
        foreach (var (key, value) in reader.KnownEntries(mapping, where, keys))
        {
            var what = $"'{key.Value}' {where}";
            switch (key.Value)
            {
                case Script: script = reader.Text(value, what); break;
                case Description: description = reader.Text(value, what)?.Value; break;
                case Tags: tags = reader.Names(value, what); break;
                case Needs: needs = reader.Names(value, what); break;
                case Claims: claims = reader.Names(value, what); break;
                case Timeout: timeout = reader.Duration(value, what, zeroAllowed: false); break;
                case Retries:
                    retries = reader.WholeNumber(value, what, minimum: 0);
                    if (retries is { Value: > MaxRetries } many)
                    {
                        reader.Problems.Error($"{what} is at most {MaxRetries}, not {many.Value}", many.Location);
                        retries = null;
                    }
                    break;
                case On: placement = ReadPlacement(value, reader, what); break;
            }
        }
        return new ExperimentMetadata
        {
            ScriptPath = script,
            DescriptionText = description,
            TagList = tags,
            NeedList = needs,
            ClaimList = claims,
            TimeoutValue = timeout,
            RetryCount = retries,
            Placement = placement,
        };
    }

    /// <summary><c>on: { labels: { gpu: "true" }, node: node-2, host: build-01 }</c>, as a job file's task says it.</summary>
    private static TaskPlacement? ReadPlacement(YamlNode node, NodeReader reader, string what)
    {
        if (reader.Mapping(node, what, "{ labels: { gpu: \"true\" } } or { node: node-2 }") is not { } mapping) return null;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        string? onNode = null, onHost = null;
        foreach (var (key, value) in reader.KnownEntries(mapping, $"in {what}", ["labels", "node", "host"]))
        {
            switch (key.Value)
            {
                case "labels":
                    if (reader.Mapping(value, $"'labels' in {what}", "{ gpu: \"true\" }") is { } pairs)
                    {
                        foreach (var (name, label) in reader.Entries(pairs))
                        {
                            if (reader.Text(label, $"label '{name.Value}' in {what}") is { } text) labels[name.Value] = text.Value;
                        }
                    }
                    break;
                case "node": onNode = reader.Text(value, $"'node' in {what}")?.Value; break;
                case "host": onHost = reader.Text(value, $"'host' in {what}")?.Value; break;
            }
        }
        var placement = new TaskPlacement { Labels = labels, Node = onNode, Host = onHost };
        return placement.IsAnywhere ? null : placement;
    }
}
