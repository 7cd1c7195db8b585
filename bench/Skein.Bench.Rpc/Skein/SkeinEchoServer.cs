using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Skein.Cluster;
using Skein.Cluster.Addressing;

namespace Skein.Bench.Rpc.Skein;

/// <summary>
/// The server side of the Skein row, in the child process: a coordinator and one node hosting <see cref="BenchEcho"/>,
/// both on 127.0.0.1 with free ports, each composed in a generic host as an application would (AddSkeinCoordinator,
/// AddSkeinNode), the node joined as any node would.
/// </summary>
internal sealed class SkeinEchoServer : IAsyncDisposable
{
    private readonly IHost _coordinatorHost;
    private readonly IHost _nodeHost;
    private readonly Coordinator _coordinator;
    private readonly string _state;

    private SkeinEchoServer(IHost coordinatorHost, IHost nodeHost, string state)
    {
        _coordinatorHost = coordinatorHost;
        _nodeHost = nodeHost;
        _coordinator = coordinatorHost.Services.GetRequiredService<Coordinator>();
        _state = state;
    }

    public string Address => ClusterAddress.Format(_coordinator.Address);

    public string TokenPath => _coordinator.TokenPath;

    /// <param name="python">Host the echo as the Python module pyecho.py instead of as a class in this process.</param>
    public static async Task<SkeinEchoServer> StartAsync(bool python, CancellationToken cancellationToken)
    {
        var state = Directory.CreateTempSubdirectory("skein-bench-").FullName;
        var coordinatorBuilder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        coordinatorBuilder.Services.AddSkeinCoordinator(options =>
        {
            options.Listen = "127.0.0.1:0";
            options.StateDirectory = state;
        });
        var coordinatorHost = coordinatorBuilder.Build();
        await coordinatorHost.StartAsync(cancellationToken).ConfigureAwait(false);
        var coordinator = coordinatorHost.Services.GetRequiredService<Coordinator>();

        var nodeBuilder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        nodeBuilder.Services.AddSkeinNode(options =>
        {
            options.Join = ClusterAddress.Format(coordinator.Address);
            options.Token = ClusterToken.Read(coordinator.TokenPath);
            options.Name = "bench-node";
            options.Listen = "127.0.0.1:0";
            if (python) options.Modules = [new global::Skein.Cluster.Configuration.ConfiguredModule(PythonEchoPath())];
        });
        if (!python) nodeBuilder.Services.AddSkeinService<IBenchEcho, BenchEcho>();
        var nodeHost = nodeBuilder.Build();
        await nodeHost.StartAsync(cancellationToken).ConfigureAwait(false); // returns once the node has joined
        return new SkeinEchoServer(coordinatorHost, nodeHost, state);
    }

    // The module is run from the source tree, where it finds the Python helper in sdk/python.
    private static string PythonEchoPath()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "bench", "Skein.Bench.Rpc", "Skein", "pyecho.py");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("pyecho.py not found above " + AppContext.BaseDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in (IHost[])[_nodeHost, _coordinatorHost])
        {
            await host.StopAsync().ConfigureAwait(false);
            await ((IAsyncDisposable)host).DisposeAsync().ConfigureAwait(false);
        }
        Directory.Delete(_state, recursive: true);
    }
}
