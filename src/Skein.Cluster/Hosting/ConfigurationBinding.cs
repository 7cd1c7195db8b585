using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Skein.Cluster.Configuration;

namespace Skein.Cluster.Hosting;

/// <summary>
/// Sets options from the <c>Skein</c> section of the application's configuration, whatever its sources (skein.yaml,
/// appsettings.json, environment variables, in memory), the way the skein command does: every source is checked
/// against the schema first (<see cref="SkeinConfiguration.Bind(IConfigurationRoot)"/>), so an unknown key or a bad
/// value fails the host's start with a <see cref="SkeinConfigurationException"/> naming the key and where it was
/// written, never a silent default. Added before the caller's own configure action, so what code sets (the CLI's
/// flags) overrides what configuration says. A host without an <see cref="IConfiguration"/> keeps the defaults.
/// </summary>
internal abstract class ConfigurationBinding<TOptions>(IConfiguration? configuration) : IConfigureOptions<TOptions> where TOptions : class
{
    public void Configure(TOptions options)
    {
        if (configuration is null || !configuration.GetSection(SkeinConfiguration.Section).Exists()) return;
        Apply(SkeinConfiguration.Bind(configuration), options);
    }

    protected abstract void Apply(SkeinConfiguration configured, TOptions options);
}

internal sealed class NodeConfigurationBinding(IConfiguration? configuration) : ConfigurationBinding<NodeOptions>(configuration)
{
    protected override void Apply(SkeinConfiguration configured, NodeOptions options) => configured.Node.ApplyTo(options);
}

internal sealed class CoordinatorConfigurationBinding(IConfiguration? configuration) : ConfigurationBinding<CoordinatorOptions>(configuration)
{
    protected override void Apply(SkeinConfiguration configured, CoordinatorOptions options) => configured.Coordinator.ApplyTo(options);
}

internal sealed class ClientConfigurationBinding(IConfiguration? configuration) : ConfigurationBinding<SkeinClientOptions>(configuration)
{
    protected override void Apply(SkeinConfiguration configured, SkeinClientOptions options) => configured.Client.ApplyTo(options);
}
