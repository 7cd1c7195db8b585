using System.Globalization;
using Microsoft.Extensions.Configuration;
using Skein.Yaml;

namespace Skein.Cluster.Configuration;

/// <summary>
/// Judges what one configuration source says against <see cref="ConfigurationSchema"/>: unknown keys (with the
/// closest known one), values of the wrong type or out of range, a list where a value belongs. Each source is
/// checked on its own, so a wrong value in skein.yaml is reported even where a variable or a flag overrides it.
/// </summary>
internal sealed class ConfigurationChecker(List<ValidationProblem> problems)
{
    /// <summary>Checks what <paramref name="provider"/> says under the <c>Skein</c> section; whatever else it holds is not Skein's.</summary>
    public void Check(IConfigurationProvider provider)
    {
        foreach (var section in ChildKeys(provider, null).Where(k => string.Equals(k, SkeinConfiguration.Section, StringComparison.OrdinalIgnoreCase)))
            Check(provider, ConfigurationSchema.Root, section, "");
    }

    private void Check(IConfigurationProvider provider, SchemaNode schema, string path, string display)
    {
        if (schema.HostOnly is { } hostOnly && IsCommandSource(provider))
        {
            Report(provider, path, atValue: false, $"'{display}' cannot be set here: {hostOnly}");
            return;
        }
        var children = ChildKeys(provider, path);
        var value = provider.TryGet(path, out var v) ? v : null;
        if (display.Length == 0 && value is not null)
        {
            Report(provider, path, atValue: true, $"'{path}' must be a section of {string.Join(", ", ((SectionSchema)schema).Keys)}, not '{value}'");
            return;
        }
        switch (schema)
        {
            case SectionSchema section:
                if (value is not null)
                {
                    if (section.Shorthand is { } shorthand && children.Count == 0)
                    {
                        CheckValue(provider, (ValueSchema)section.Find(shorthand, loose: false)!, path, display, value);
                        return;
                    }
                    Report(provider, path, atValue: true, $"'{display}' must be a mapping of {string.Join(", ", section.Keys)}, not '{value}'");
                    return;
                }
                foreach (var key in children)
                {
                    var childPath = ConfigurationPath.Combine(path, key);
                    var childDisplay = Display(provider, childPath, display.Length == 0 ? key : $"{display}.{key}");
                    if (section.Find(key, loose: provider is not SkeinYamlConfigurationProvider) is { } child)
                    {
                        Check(provider, child, childPath, childDisplay);
                        continue;
                    }
                    var closest = KeySuggestion.Closest(key, section.Keys);
                    var hint = closest is null ? $"expected one of: {string.Join(", ", section.Keys)}" : $"did you mean '{closest}'?";
                    Report(provider, childPath, atValue: false, $"unknown key '{childDisplay}' ({hint})");
                }
                break;
            case MapSchema map:
                if (value is not null)
                {
                    Report(provider, path, atValue: true, $"'{display}' must be a mapping such as {{ KEY: value }}, not '{value}'");
                    return;
                }
                foreach (var key in children)
                {
                    var childPath = ConfigurationPath.Combine(path, key);
                    if (map.Key.Parse(key, "").Error is { } badKey)
                        Report(provider, childPath, atValue: false, $"'{key}' in '{display}' {badKey}");
                    else if (ChildKeys(provider, childPath).Count > 0)
                        Report(provider, childPath, atValue: true, $"'{display}.{key}' must be {map.Value.Type}, not {Shape(provider, childPath)}");
                }
                break;
            case ListSchema list:
                if (value is not null)
                {
                    Report(provider, path, atValue: true, $"'{display}' must be a list such as [a, b], not '{value}'");
                    return;
                }
                if (provider is SkeinYamlConfigurationProvider yaml && yaml.TryGetEntry(path, out var written) && written.Shape == "a mapping")
                {
                    Report(provider, path, atValue: true, $"'{display}' must be a list such as [a, b], not a mapping");
                    return;
                }
                foreach (var key in children)
                {
                    var childPath = ConfigurationPath.Combine(path, key);
                    if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                    {
                        Report(provider, childPath, atValue: false, $"'{display}.{key}' is not a position in the list '{display}' (write 0, 1, 2, …)");
                        continue;
                    }
                    Check(provider, list.Element, childPath, Display(provider, childPath, $"{display}[{index}]"));
                }
                break;
            case ValueSchema valueSchema:
                if (children.Count > 0)
                {
                    Report(provider, path, atValue: true, $"'{display}' must be {valueSchema.Kind.Type}, not {Shape(provider, path)}");
                    return;
                }
                if (value is null)
                {
                    Report(provider, path, atValue: true, $"'{display}' is empty; give it a value or leave the key out");
                    return;
                }
                CheckValue(provider, valueSchema, path, display, value);
                break;
        }
    }

    private void CheckValue(IConfigurationProvider provider, ValueSchema schema, string path, string display, string value)
    {
        if (schema.Kind.Parse(value, BaseDirectory(provider)).Error is { } error) Report(provider, path, atValue: true, $"'{display}' {error}");
    }

    /// <summary>
    /// Reports at the file's line and column, naming the environment variable, or naming the source (appsettings.json,
    /// an in-memory collection), whichever the source is.
    /// </summary>
    public void Report(IConfigurationProvider provider, string path, bool atValue, string message)
    {
        switch (provider)
        {
            case SkeinYamlConfigurationProvider yaml when yaml.TryGetEntry(path, out var entry):
                problems.Add(ValidationProblem.Error(message, atValue ? entry.Value : entry.Key));
                break;
            case SkeinYamlConfigurationProvider:
                problems.Add(ValidationProblem.Error(message));
                break;
            case SkeinEnvironmentConfigurationProvider environment when environment.VariableAtOrBelow(path) is { } variable:
                problems.Add(ValidationProblem.Error($"environment variable {variable}: {message}"));
                break;
            case SkeinEnvironmentConfigurationProvider:
                problems.Add(ValidationProblem.Error(message));
                break;
            default:
                problems.Add(ValidationProblem.Error($"{provider}: {message}"));
                break;
        }
    }

    /// <summary>The sources the skein command reads, which refuse what only a host may configure.</summary>
    private static bool IsCommandSource(IConfigurationProvider provider) =>
        provider is SkeinYamlConfigurationProvider or SkeinEnvironmentConfigurationProvider;

    /// <summary>
    /// How a key is named in messages: as skein.yaml writes it (<c>node.labels</c>, <c>node.modules[0]</c>) for the
    /// skein command's sources, as the configuration path the application wrote (<c>Skein:Node:Lables</c>) for others.
    /// </summary>
    private static string Display(IConfigurationProvider provider, string path, string schemaDisplay) =>
        IsCommandSource(provider) ? schemaDisplay : path;

    /// <summary>Where relative paths given by <paramref name="provider"/> start: skein.yaml's directory, else the current one.</summary>
    public static string BaseDirectory(IConfigurationProvider? provider) =>
        provider is SkeinYamlConfigurationProvider yaml ? yaml.BaseDirectory : Environment.CurrentDirectory;

    public static List<string> ChildKeys(IConfigurationProvider provider, string? path) =>
        provider.GetChildKeys([], path).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    private static string Shape(IConfigurationProvider provider, string path) =>
        provider is SkeinYamlConfigurationProvider yaml && yaml.TryGetEntry(path, out var entry) ? entry.Shape : "a mapping or a list";
}
