using Skein.Yaml;
using YamlDotNet.RepresentationModel;

namespace Skein.Engine.JobFiles;

/// <summary>The job files' own kinds of value, read like the generic ones of <see cref="NodeReader"/>.</summary>
internal static class RetryValues
{
    /// <summary>A wait before a retry: a duration, zero allowed (retry at once), at most <see cref="RetryDelays.Longest"/>.</summary>
    public static Located<TimeSpan>? RetryDelay(this NodeReader reader, YamlNode node, string what)
    {
        if (reader.Duration(node, what, zeroAllowed: true) is not { } delay) return null;
        if (delay.Value > RetryDelays.Longest)
        {
            reader.Problems.Error($"{what} must be at most {Durations.Format(RetryDelays.Longest)}, not {NodeText.Describe(node)}", node);
            return null;
        }
        return delay;
    }

    /// <summary>constant, linear or exponential.</summary>
    public static Located<RetryBackoff>? RetryBackoff(this NodeReader reader, YamlNode node, string what)
    {
        if (NodeText.IsNull(node)) return null;
        if (node is YamlScalarNode { Value: { } text } && RetryDelays.TryParseBackoff(text, out var backoff))
            return new Located<RetryBackoff>(backoff, reader.Problems.At(node));
        var closest = node is YamlScalarNode { Value: { } written } ? KeySuggestion.Closest(written, RetryDelays.BackoffNames) : null;
        var hint = closest is null ? "" : $" (did you mean '{closest}'?)";
        reader.Problems.Error($"{what} must be one of {string.Join(", ", RetryDelays.BackoffNames)}, not {NodeText.Describe(node)}{hint}", node);
        return null;
    }
}
