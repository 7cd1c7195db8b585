using Microsoft.Extensions.Configuration;

namespace Skein.Cluster.Configuration;

/// <summary>
/// The <c>Skein</c> section of every source, its keys spelt as the schema spells them (<c>Node:ModuleRestart</c> in
/// appsettings.json is <c>node:module-restart</c>, as skein.yaml writes it), merged in the sources' order: so
/// binding reads one key whatever source and spelling set it, and the last source still wins. Each key remembers the
/// source and the path it came from, for relative paths and messages.
/// </summary>
internal sealed class SchemaView
{
    private readonly List<Copy> _copies;

    private SchemaView(List<Copy> copies)
    {
        _copies = copies;
        Root = new ConfigurationRoot([.. copies]);
    }

    /// <summary>The merged values, keyed below the section: <c>node:cores</c>.</summary>
    public IConfigurationRoot Root { get; }

    public static SchemaView Of(IEnumerable<IConfigurationProvider> providers) =>
        new(providers.Select(Copy.Of).ToList());

    /// <summary>The last source that set <paramref name="key"/> (to a value, or with keys below it when <paramref name="withChildren"/>).</summary>
    public (IConfigurationProvider Provider, string Path)? Source(string key, bool withChildren)
    {
        for (var i = _copies.Count - 1; i >= 0; i--)
        {
            var copy = _copies[i];
            var found = copy.TryGet(key, out var value) && (withChildren || value is not null)
                || withChildren && copy.GetChildKeys([], key).Any();
            if (found) return (copy.Original ?? copy, copy.OriginalPath(key));
        }
        return null;
    }

    /// <summary>One source's Skein section, keys in the schema's spelling.</summary>
    internal sealed class Copy : ConfigurationProvider
    {
        private readonly Dictionary<string, string> _paths = new(StringComparer.OrdinalIgnoreCase);

        /// <summary>A source of exactly these keys and values (a configuration that is not a root).</summary>
        public Copy(IEnumerable<KeyValuePair<string, string?>> values)
        {
            foreach (var (key, value) in values) Data[key] = value;
        }

        private Copy(IConfigurationProvider original)
        {
            Original = original;
        }

        public IConfigurationProvider? Original { get; }

        public string OriginalPath(string key) => _paths.TryGetValue(key, out var path) ? path : key;

        public static Copy Of(IConfigurationProvider provider)
        {
            var copy = new Copy(provider);
            foreach (var section in ConfigurationChecker.ChildKeys(provider, null).Where(k => string.Equals(k, SkeinConfiguration.Section, StringComparison.OrdinalIgnoreCase)))
                copy.Walk(provider, section);
            return copy;
        }

        private void Walk(IConfigurationProvider provider, string path)
        {
            var parts = path.Split(ConfigurationPath.KeyDelimiter);
            if (parts.Length > 1)
            {
                var key = ConfigurationPath.Combine(ConfigurationSchema.Canonical(parts[1..]));
                if (provider.TryGet(path, out var value)) Data[key] = value;
                _paths[key] = path;
            }
            foreach (var child in ConfigurationChecker.ChildKeys(provider, path)) Walk(provider, ConfigurationPath.Combine(path, child));
        }

        public override string ToString() => Original?.ToString() ?? "the configuration";
    }
}
