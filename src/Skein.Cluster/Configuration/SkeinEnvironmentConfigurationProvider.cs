using System.Collections;
using Microsoft.Extensions.Configuration;

namespace Skein.Cluster.Configuration;

/// <summary>The <c>SKEIN_…__…</c> environment variables as a configuration source; see <see cref="SkeinEnvironmentConfigurationProvider"/>.</summary>
public sealed class SkeinEnvironmentConfigurationSource : IConfigurationSource
{
    /// <summary>The variables to read; null reads this process's environment.</summary>
    public IDictionary? Variables { get; init; }

    public IConfigurationProvider Build(IConfigurationBuilder builder) => new SkeinEnvironmentConfigurationProvider(Variables);
}

/// <summary>
/// Reads environment variables named <c>SKEIN_SECTION__KEY</c> (the .NET convention: <c>__</c> separates levels) as
/// configuration: <c>SKEIN_NODE__CORES=8</c> is <c>node.cores</c> (the key <c>Skein:node:cores</c>), <c>SKEIN_NODE__LABELS__gpu=a100</c> is the label
/// <c>gpu</c>, <c>SKEIN_NODE__MODULE_RESTART=transient</c> is <c>node.module-restart</c>.
/// </summary>
/// <remarks>
/// Only names with a <c>__</c> are configuration: SKEIN_TOKEN, SKEIN_CLUSTER, SKEIN_STATE, SKEIN_NODE,
/// SKEIN_MODULE_PATH and the others without one keep their own meanings and are never read as keys. Names of the
/// schema's keys may be written in any case, with <c>_</c> for <c>-</c>; names chosen by the user (a label's) are
/// taken as written.
/// </remarks>
public sealed class SkeinEnvironmentConfigurationProvider(IDictionary? variables) : ConfigurationProvider
{
    public const string Prefix = "SKEIN_";

    private readonly Dictionary<string, string> _names = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The variable a configuration key came from, for messages.</summary>
    internal bool TryGetVariable(string key, out string name) => _names.TryGetValue(key, out name!);

    /// <summary>A variable that set <paramref name="key"/> or a key below it, for a message about a section.</summary>
    internal string? VariableAtOrBelow(string key)
    {
        if (TryGetVariable(key, out var exact)) return exact;
        var below = key + ConfigurationPath.KeyDelimiter;
        return _names.Where(n => n.Key.StartsWith(below, StringComparison.OrdinalIgnoreCase)).Select(n => n.Value).Order(StringComparer.Ordinal).FirstOrDefault();
    }

    public override void Load()
    {
        _names.Clear();
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry variable in variables ?? Environment.GetEnvironmentVariables())
        {
            if (variable.Key is not string name || !IsConfiguration(name)) continue;
            // Under the Skein section, as every source of Skein's settings: SKEIN_NODE__CORES is Skein:node:cores.
            var key = ConfigurationPath.Combine([SkeinConfiguration.Section, .. ConfigurationSchema.Canonical(name[Prefix.Length..].Split("__"))]);
            data[key] = variable.Value as string;
            _names[key] = name;
        }
        Data = data;
    }

    /// <summary>True for SKEIN_ names that hold a <c>__</c>; the rest are the older single-purpose variables.</summary>
    public static bool IsConfiguration(string name) =>
        name.StartsWith(Prefix, StringComparison.Ordinal) && name.AsSpan(Prefix.Length).Contains("__", StringComparison.Ordinal);
}
