using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Skein.Cluster.Hosting;

/// <summary>
/// Binds options from a section of the application's configuration (e.g. <c>Skein:Node</c>) when it has one. Added
/// before the caller's own configure action, so what code sets (the CLI's flags) overrides what configuration says.
/// A host without an <see cref="IConfiguration"/> (a bare service collection) keeps the defaults.
/// </summary>
internal sealed class ConfigurationBinding<TOptions>(IConfiguration? configuration, string section) : IConfigureOptions<TOptions> where TOptions : class
{
    public void Configure(TOptions options)
    {
        if (configuration?.GetSection(section) is { } found && found.Exists()) found.Bind(options);
    }
}
