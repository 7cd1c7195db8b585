using Microsoft.Extensions.Configuration;

namespace Skein.Cluster.Configuration;

/// <summary>A skein.yaml file as a configuration source; see <see cref="SkeinYamlConfigurationProvider"/>.</summary>
public sealed class SkeinYamlConfigurationSource : IConfigurationSource
{
    /// <summary>The file, as the user wrote it (messages name it so); relative to the current directory.</summary>
    public required string Path { get; init; }

    /// <summary>When true a missing file is no configuration at all; when false it is an error.</summary>
    public bool Optional { get; init; }

    public IConfigurationProvider Build(IConfigurationBuilder builder) => new SkeinYamlConfigurationProvider(this);
}
