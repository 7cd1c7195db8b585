using System.Collections;
using Microsoft.Extensions.Configuration;

namespace Skein.Cluster.Configuration;

/// <summary>Adds Skein's configuration sources to a configuration builder.</summary>
public static class SkeinConfigurationExtensions
{
    /// <summary>Adds a skein.yaml file; a missing file is an error unless <paramref name="optional"/>.</summary>
    public static IConfigurationBuilder AddSkeinYaml(this IConfigurationBuilder builder, string path, bool optional = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return builder.Add(new SkeinYamlConfigurationSource { Path = path, Optional = optional });
    }

    /// <summary>
    /// Adds the <c>SKEIN_SECTION__KEY</c> environment variables (only names holding <c>__</c>; see
    /// <see cref="SkeinEnvironmentConfigurationProvider"/>), from <paramref name="variables"/> or this process's environment.
    /// </summary>
    public static IConfigurationBuilder AddSkeinEnvironmentVariables(this IConfigurationBuilder builder, IDictionary? variables = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new SkeinEnvironmentConfigurationSource { Variables = variables });
    }
}
