using Skein.Cli.Commands;
using Skein.Engine;
using Skein.Yaml;

namespace Skein.Cli.Suites;

/// <summary>What a C# experiment's <c>[Experiment]</c> attribute says, as the metadata a script's header would give, and how it is started.</summary>
internal static class MethodMetadata
{
    /// <summary>The attribute's values; a bad one (a timeout that is not a duration) is an error at <paramref name="at"/>, naming the method.</summary>
    public static ExperimentMetadata Read(CSharpExperiment method, SourceLocation at, ProblemCollector problems)
    {
        var attribute = method.Attribute;
        Located<TimeSpan>? timeout = null;
        if (attribute.Timeout is { } text)
        {
            if (Durations.TryParse(text, out var value) && value > TimeSpan.Zero) timeout = new Located<TimeSpan>(value, at);
            else problems.Error($"{method.Method} in {method.Assembly}: [Experiment] Timeout '{text}' is not a duration such as 30s or 5m", at);
        }
        Located<int>? retries = null;
        if (attribute.Retries > ExperimentMetadata.MaxRetries)
            problems.Error($"{method.Method} in {method.Assembly}: [Experiment] Retries is at most {ExperimentMetadata.MaxRetries}, not {attribute.Retries}", at);
        else if (attribute.Retries >= 0) retries = new Located<int>(attribute.Retries, at);
        return new ExperimentMetadata
        {
            DescriptionText = attribute.Description,
            TagList = Names(attribute.Tags, at),
            NeedList = Names(attribute.Needs, at),
            ClaimList = Names(attribute.Claims, at),
            TimeoutValue = timeout,
            RetryCount = retries,
            Placement = Placement(method, at, problems),
        };
    }

    /// <summary><c>skein run-experiment</c> for the method: this same skein, which loads the assembly on the node and runs it.</summary>
    public static IReadOnlyList<string> Command(CSharpExperiment method)
    {
        var (file, prefix) = UpCommand.SelfCommand();
        return [file, .. prefix, RunExperimentCommand.Name, "--assembly", method.Assembly, "--method", method.Method];
    }

    private static List<Located<string>>? Names(string[]? values, SourceLocation at) =>
        values?.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => new Located<string>(v.Trim(), at)).ToList();

    private static TaskPlacement? Placement(CSharpExperiment method, SourceLocation at, ProblemCollector problems)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var label in method.Attribute.Labels ?? [])
        {
            var equals = label.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0) problems.Error($"{method.Method} in {method.Assembly}: [Experiment] label '{label}' is not KEY=VALUE", at);
            else labels[label[..equals].Trim()] = label[(equals + 1)..].Trim();
        }
        var placement = new TaskPlacement { Labels = labels, Node = method.Attribute.Node };
        return placement.IsAnywhere ? null : placement;
    }
}
