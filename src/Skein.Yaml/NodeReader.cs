using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Skein.Yaml;

/// <summary>
/// Reads typed values out of YAML nodes. A value of the wrong shape is reported where it is written and read as
/// absent, so the caller carries on and the file's other problems are found in the same pass.
/// </summary>
/// <remarks>Each <c>what</c> argument names the value in messages, e.g. "'retries' of task 'build'".</remarks>
public sealed class NodeReader(ProblemCollector problems)
{
    public ProblemCollector Problems { get; } = problems;

    /// <summary>The entries of a mapping whose keys are known; unknown keys are reported with the closest known one.</summary>
    public List<(Located<string> Key, YamlNode Value)> KnownEntries(YamlMappingNode mapping, string where, IReadOnlyList<string> known)
    {
        var entries = Entries(mapping);
        var result = new List<(Located<string>, YamlNode)>(entries.Count);
        foreach (var entry in entries)
        {
            if (Contains(known, entry.Key.Value))
            {
                result.Add(entry);
                continue;
            }
            var closest = KeySuggestion.Closest(entry.Key.Value, known);
            var hint = closest is null ? $"expected one of: {string.Join(", ", known)}" : $"did you mean '{closest}'?";
            Problems.Error($"unknown key '{entry.Key.Value}' {where} ({hint})", entry.Key.Location);
        }
        return result;
    }

    /// <summary>All entries of a mapping whose keys are text; other keys (a list used as a key) are reported.</summary>
    public List<(Located<string> Key, YamlNode Value)> Entries(YamlMappingNode mapping)
    {
        var result = new List<(Located<string>, YamlNode)>(mapping.Children.Count);
        foreach (var (key, value) in mapping.Children)
        {
            if (key is YamlScalarNode { Value: { } text })
            {
                result.Add((new Located<string>(text, Problems.At(key)), value));
            }
            else
            {
                Problems.Error($"keys must be plain text, not {NodeText.Describe(key)}", key);
            }
        }
        return result;
    }

    /// <summary>A mapping, or null (reported unless the node is empty and <paramref name="nullIsFine"/>).</summary>
    public YamlMappingNode? Mapping(YamlNode node, string what, string shape, bool nullIsFine = true)
    {
        if (node is YamlMappingNode mapping) return mapping;
        if (nullIsFine && NodeText.IsNull(node)) return null;
        Problems.Error($"{what} must be a mapping such as {shape}, not {NodeText.Describe(node)}", node);
        return null;
    }

    /// <summary>A scalar's text; null when the node is empty or not a scalar (the latter is reported).</summary>
    public Located<string>? Text(YamlNode node, string what)
    {
        if (NodeText.IsNull(node)) return null;
        if (node is YamlScalarNode { Value: { } text }) return new Located<string>(text, Problems.At(node));
        Problems.Error($"{what} must be text, not {NodeText.Describe(node)}", node);
        return null;
    }

    public Located<int>? WholeNumber(YamlNode node, string what, int minimum = int.MinValue)
    {
        if (NodeText.IsNull(node)) return null;
        if (node is not YamlScalarNode { Value: { } text } ||
            !int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            Problems.Error($"{what} must be a whole number, not {NodeText.Describe(node)}", node);
            return null;
        }
        if (number < minimum)
        {
            Problems.Error($"{what} must be at least {minimum}, not {number}", node);
            return null;
        }
        return new Located<int>(number, Problems.At(node));
    }

    /// <summary>true or false; null when the node is empty or something else (the latter is reported).</summary>
    public bool? Boolean(YamlNode node, string what)
    {
        if (NodeText.IsNull(node)) return null;
        if (node is YamlScalarNode { Style: ScalarStyle.Plain, Value: "true" or "True" or "TRUE" }) return true;
        if (node is YamlScalarNode { Style: ScalarStyle.Plain, Value: "false" or "False" or "FALSE" }) return false;
        Problems.Error($"{what} must be true or false, not {NodeText.Describe(node)}", node);
        return null;
    }

    public Located<TimeSpan>? Duration(YamlNode node, string what, bool zeroAllowed)
    {
        if (NodeText.IsNull(node)) return null;
        if (node is not YamlScalarNode { Value: { } text } || !DurationText.TryParse(text, out var duration))
        {
            var suggestion = node is YamlScalarNode { Value: { } written } ? DurationText.Suggest(written) : null;
            var hint = suggestion is null ? "" : $" (did you mean '{suggestion}'?)";
            Problems.Error($"{what} must be a duration such as {DurationText.Examples}, not {NodeText.Describe(node)}{hint}", node);
            return null;
        }
        if (!zeroAllowed && duration <= TimeSpan.Zero)
        {
            Problems.Error($"{what} must be longer than zero (leave it out for no limit)", node);
            return null;
        }
        return new Located<TimeSpan>(duration, Problems.At(node));
    }

    /// <summary>A list of names, or one name on its own; null when the node has the wrong shape (reported).</summary>
    public List<Located<string>>? Names(YamlNode node, string what)
    {
        if (NodeText.IsNull(node)) return [];
        if (node is YamlScalarNode)
        {
            var single = NameEntry(node, what);
            return single is { } name ? [name] : [];
        }
        if (node is not YamlSequenceNode sequence)
        {
            Problems.Error($"{what} must be a name or a list of names, not {NodeText.Describe(node)}", node);
            return null;
        }
        var names = new List<Located<string>>(sequence.Children.Count);
        foreach (var entry in sequence.Children)
        {
            if (NameEntry(entry, what) is { } name) names.Add(name);
        }
        return names;
    }

    /// <summary>A list of whole numbers, or one on its own, each within the bounds.</summary>
    public List<Located<int>>? Numbers(YamlNode node, string what, int minimum, int maximum)
    {
        if (NodeText.IsNull(node)) return [];
        if (node is not YamlScalarNode and not YamlSequenceNode)
        {
            Problems.Error($"{what} must be a number or a list of numbers, not {NodeText.Describe(node)}", node);
            return null;
        }
        IEnumerable<YamlNode> entries = node is YamlSequenceNode sequence ? sequence.Children : [node];
        var numbers = new List<Located<int>>();
        foreach (var entry in entries)
        {
            if (WholeNumber(entry, $"an entry of {what}", minimum) is not { } number) continue;
            if (number.Value > maximum)
            {
                Problems.Error($"an entry of {what} must be at most {maximum}, not {number.Value}", entry);
                continue;
            }
            numbers.Add(number);
        }
        return numbers;
    }

    /// <summary>Environment variables (NAME: value) added to <paramref name="into"/>; values are read as text.</summary>
    public void Environment(YamlNode node, string what, List<(Located<string> Name, Located<string> Value)> into)
    {
        if (Mapping(node, what, "{ NAME: value }") is not { } mapping) return;
        foreach (var (name, value) in Entries(mapping))
        {
            if (name.Value.Length == 0 || name.Value.Contains('=') || name.Value.Contains('\0'))
            {
                Problems.Error($"'{name.Value}' in {what} is not a valid environment variable name", name.Location);
                continue;
            }
            if (NodeText.IsNull(value))
            {
                // "NAME:" with nothing after it is a deliberate empty value (a task clearing a default), not a mistake.
                into.Add((name, new Located<string>("", Problems.At(value))));
                continue;
            }
            if (Text(value, $"the value of '{name.Value}' in {what}") is { } text) into.Add((name, text));
        }
    }

    private Located<string>? NameEntry(YamlNode node, string what)
    {
        if (node is not YamlScalarNode { Value: { } text })
        {
            Problems.Error($"an entry of {what} must be a name, not {NodeText.Describe(node)}", node);
            return null;
        }
        if (string.IsNullOrWhiteSpace(text) || NodeText.IsNull(node))
        {
            Problems.Error($"an entry of {what} is empty", node);
            return null;
        }
        return new Located<string>(text, Problems.At(node));
    }

    private static bool Contains(IReadOnlyList<string> known, string key)
    {
        foreach (var candidate in known)
        {
            if (string.Equals(candidate, key, StringComparison.Ordinal)) return true;
        }
        return false;
    }
}
