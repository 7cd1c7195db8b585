using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Skein;
using Skein.Cluster;
using Skein.Cluster.Hosting;
using Skein.Cluster.Services.Hosting;
using Skein.Cluster.Client;
using Skein.Cluster.Configuration;

// In the generic host's namespace, as Orleans puts AddOrleans/UseOrleans: found wherever a host is built.
namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Puts Skein into an application's generic host: <c>builder.Services.AddSkeinCoordinator()</c>,
/// <c>AddSkeinNode()</c>, <c>AddSkeinClient()</c>. Each registers its hosted service, its options (read from the
/// configuration section <c>Skein:Coordinator</c>, <c>Skein:Node</c> or <c>Skein:Client</c> through the schema
/// skein.yaml is checked against, so a wrong key or value fails the start naming it; then changed by the action
/// given, and validated once when the host starts), logging, and a <see cref="TimeProvider"/>
/// (<see cref="TimeProvider.System"/> unless the application registered one). Calling one twice configures one
/// runtime, applying both actions.
/// </summary>
public static class SkeinHostingExtensions
{
    public const string CoordinatorSection = "Skein:Coordinator";
    public const string NodeSection = "Skein:Node";
    public const string ClientSection = "Skein:Client";

    /// <summary>
    /// Hosts a cluster's coordinator; resolve <see cref="Coordinator"/> for its address and token path once the host
    /// has started.
    /// </summary>
    public static IServiceCollection AddSkeinCoordinator(this IServiceCollection services, Action<CoordinatorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (Once<CoordinatorMarker>(services))
        {
            AddCommon(services);
            AddOptions<CoordinatorOptions, CoordinatorOptionsValidator>(services, provider => new CoordinatorConfigurationBinding(provider.GetService<IConfiguration>()));
            // Where hosted runs' attempts run: on the cluster's nodes, unless the application registered an executor.
            services.AddSingleton(provider => new Coordinator(
                provider.GetRequiredService<IOptions<CoordinatorOptions>>(),
                provider.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>(),
                provider.GetRequiredService<TimeProvider>())
            {
                Executor = provider.GetService<Skein.Engine.ITaskExecutor>(),
            });
            services.AddHostedService(provider => provider.GetRequiredService<Coordinator>());
        }
        if (configure is not null) services.Configure(configure);
        return services;
    }

    /// <summary>
    /// Hosts a node: its services (those added with <see cref="AddSkeinService{TContract, TImplementation}"/>, made by
    /// the container with constructor injection), its modules, its call endpoint and its membership. Resolve
    /// <see cref="Node"/> for its name, address and modules, and <see cref="SkeinClient"/> (the node's client) once it
    /// has started; the host's start returns once the node has joined.
    /// </summary>
    public static IServiceCollection AddSkeinNode(this IServiceCollection services, Action<NodeOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(ClientMarker))) throw BothClientAndNode();
        if (Once<NodeMarker>(services))
        {
            AddCommon(services);
            AddOptions<NodeOptions, NodeOptionsValidator>(services, provider => new NodeConfigurationBinding(provider.GetService<IConfiguration>()));
            services.AddSingleton<Node>();
            services.AddHostedService(provider => provider.GetRequiredService<Node>());
            services.AddSingleton(provider => provider.GetRequiredService<Node>().Client);
        }
        if (configure is not null) services.Configure(configure);
        return services;
    }

    /// <summary>
    /// Connects the application to a cluster as a client when the host starts; resolve <see cref="SkeinClient"/> after
    /// that. A node has a client of its own: use <see cref="AddSkeinNode"/> alone.
    /// </summary>
    public static IServiceCollection AddSkeinClient(this IServiceCollection services, Action<SkeinClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(NodeMarker))) throw BothClientAndNode();
        if (Once<ClientMarker>(services))
        {
            AddCommon(services);
            AddOptions<SkeinClientOptions, SkeinClientOptionsValidator>(services, provider => new ClientConfigurationBinding(provider.GetService<IConfiguration>()));
            services.AddSingleton<ClientConnection>();
            services.AddHostedService(provider => provider.GetRequiredService<ClientConnection>());
            services.AddSingleton(provider => provider.GetRequiredService<ClientConnection>().Client);
        }
        if (configure is not null) services.Configure(configure);
        return services;
    }

    /// <summary>
    /// Hosts <typeparamref name="TImplementation"/> as the service <typeparamref name="TContract"/> on this
    /// application's node. Its objects are made by the container: the constructor may take loggers, options, the
    /// node's <see cref="SkeinClient"/> and the application's own registrations. A per-connection object gets a scope
    /// of its own, disposed with it when its proxy is released; singletons and pooled objects come from the root.
    /// </summary>
    public static IServiceCollection AddSkeinService<TContract, TImplementation>(this IServiceCollection services)
        where TContract : class where TImplementation : class, TContract
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(new SkeinServiceRegistration(typeof(TContract), typeof(TImplementation)));
        return services;
    }

    /// <summary>
    /// The services of a module host process (an isolated assembly's): a <see cref="ServiceHost"/> named after the
    /// node, whose objects the container makes, as a node's are, with logging and a time provider.
    /// </summary>
    internal static IServiceCollection AddSkeinModuleHost(this IServiceCollection services, string nodeName)
    {
        AddCommon(services);
        services.AddSingleton(provider => new ServiceHost(nodeName, options: null, provider));
        return services;
    }

    private static void AddCommon(IServiceCollection services)
    {
        services.AddLogging();
        services.AddOptions();
        services.TryAddSingleton(TimeProvider.System);
    }

    private static void AddOptions<TOptions, TValidator>(IServiceCollection services, Func<IServiceProvider, IConfigureOptions<TOptions>> binding)
        where TOptions : class where TValidator : class, IValidateOptions<TOptions>
    {
        // Configuration first, so the caller's action (the CLI's flags) is applied over it.
        services.AddSingleton(binding);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        services.AddOptions<TOptions>().ValidateOnStart();
    }

    // True the first time: the runtime's registrations are made once, however often the extension is called.
    private static bool Once<TMarker>(IServiceCollection services) where TMarker : class, new()
    {
        if (services.Any(d => d.ServiceType == typeof(TMarker))) return false;
        services.AddSingleton(new TMarker());
        return true;
    }

    private static InvalidOperationException BothClientAndNode() =>
        new("do not add both AddSkeinNode and AddSkeinClient: a node has its own client (resolve SkeinClient, or Node.Client)");

    private sealed class CoordinatorMarker;

    private sealed class NodeMarker;

    private sealed class ClientMarker;
}
