using Microsoft.Extensions.Configuration;
using Skein.Yaml;
using YamlDotNet.RepresentationModel;

namespace Skein.Cluster.Configuration;

/// <summary>
/// Reads a skein.yaml through the shared YAML reader (its size, depth and UTF-8 limits, its file:line:column
/// messages) into configuration keys under the <c>Skein</c> section — <c>Skein:node:labels:gpu</c>, <c>Skein:node:modules:0:path</c> — and remembers where each
/// key and value was written, so a problem found later (<see cref="SkeinConfiguration"/>) points into the file.
/// </summary>
/// <remarks>
/// Syntax errors throw <see cref="SkeinConfigurationException"/> from <see cref="Load"/>; keys and values are judged
/// against the schema afterwards, with the file's positions. An empty mapping or list is kept as a key with a null
/// value, as the JSON provider does, so it still shows as a section.
/// </remarks>
public sealed class SkeinYamlConfigurationProvider : ConfigurationProvider
{
    private readonly Dictionary<string, YamlEntry> _entries = new(StringComparer.OrdinalIgnoreCase);

    public SkeinYamlConfigurationProvider(SkeinYamlConfigurationSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        Source = source;
        FullPath = System.IO.Path.GetFullPath(source.Path);
    }

    public SkeinYamlConfigurationSource Source { get; }

    /// <summary>The file read, as a full path.</summary>
    public string FullPath { get; }

    /// <summary>The directory relative paths in the file are taken from.</summary>
    public string BaseDirectory => System.IO.Path.GetDirectoryName(FullPath)!;

    /// <summary>True when the file was there and read.</summary>
    public bool Exists { get; private set; }

    /// <summary>Where <paramref name="key"/> (a configuration path) was written, and what its value looked like.</summary>
    internal bool TryGetEntry(string key, out YamlEntry entry) => _entries.TryGetValue(key, out entry);

    public override void Load()
    {
        _entries.Clear();
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        Exists = File.Exists(FullPath);
        if (!Exists)
        {
            if (!Source.Optional)
                throw new SkeinConfigurationException([ValidationProblem.Error($"configuration file not found: {Source.Path} (looked for {FullPath})")]);
            Data = data;
            return;
        }
        var text = YamlFileText.Read(FullPath, Source.Path, out var unreadable);
        if (text is null) throw new SkeinConfigurationException([unreadable!]);
        var problems = new ProblemCollector(Source.Path);
        // A file of nothing but comments configures nothing; the shared reader would call it an empty document.
        if (!IsOnlyComments(text))
        {
            var root = YamlDocumentReader.ReadRoot(text, problems, "skein.yaml", "a 'node' or 'coordinator' section");
            // Under the Skein section, as every source of Skein's settings: node.cores is Skein:node:cores.
            if (root is not null) Flatten(root, SkeinConfiguration.Section, data, problems);
        }
        if (problems.HasErrors) throw new SkeinConfigurationException(problems.ToList());
        Data = data;
    }

    private void Flatten(YamlNode node, string path, Dictionary<string, string?> data, ProblemCollector problems)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                if (mapping.Children.Count == 0) data[path] = null;
                // Configuration keys ignore case, so "gpu" and "GPU" would silently become one; say so instead.
                var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (var (key, value) in mapping.Children)
                {
                    if (key is not YamlScalarNode { Value: { Length: > 0 } name } || NodeText.IsNull(key))
                    {
                        problems.Error($"keys must be plain text, not {NodeText.Describe(key)}", key);
                        continue;
                    }
                    if (name.Contains(':', StringComparison.Ordinal))
                    {
                        problems.Error($"key '{name}' contains ':', which configuration keys cannot hold", key);
                        continue;
                    }
                    if (!seen.TryAdd(name, name))
                    {
                        problems.Error($"key '{name}' differs from '{seen[name]}' only in case; configuration keys ignore case, so write one of them", key);
                        continue;
                    }
                    var child = ConfigurationPath.Combine(path, name);
                    _entries[child] = new YamlEntry(problems.At(key), problems.At(value), NodeText.Describe(value));
                    Flatten(value, child, data, problems);
                }
                break;
            case YamlSequenceNode sequence:
                if (sequence.Children.Count == 0) data[path] = null;
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    var item = sequence.Children[i];
                    var child = ConfigurationPath.Combine(path, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    _entries[child] = new YamlEntry(problems.At(item), problems.At(item), NodeText.Describe(item));
                    Flatten(item, child, data, problems);
                }
                break;
            case YamlScalarNode scalar:
                data[path] = NodeText.IsNull(scalar) ? null : scalar.Value;
                break;
            default:
                problems.Error($"this value cannot be read ({NodeText.Describe(node)})", node);
                break;
        }
    }

    private static bool IsOnlyComments(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.Length > 0 && trimmed[0] != '#') return false;
        }
        return true;
    }

    public override string ToString() => $"{nameof(SkeinYamlConfigurationProvider)} for '{Source.Path}' ({(Source.Optional ? "Optional" : "Required")})";
}

/// <summary>Where a key of skein.yaml was written, where its value starts, and how the value reads in messages ("a list").</summary>
internal readonly record struct YamlEntry(SourceLocation Key, SourceLocation Value, string Shape);
