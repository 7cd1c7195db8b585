using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans;
using Skein.Bench.Orleans;
using Skein.Bench.Rpc.Hosting;
using Skein.Bench.Rpc.Load;

namespace Skein.Bench.Rpc.Targets;

/// <summary>
/// The peer: an Orleans silo (<see cref="EchoCluster"/>) in a child process on ports picked here, and an Orleans
/// client in this process. Each caller calls its own grain (key = caller number), as each Skein proxy of a
/// per-connection service gets its own server object.
/// </summary>
internal sealed class OrleansDeployment : IEchoDeployment, IServerAllocations
{
    public const string Name = "orleans";

    private readonly ChildServer _silo;
    private readonly IHost _client;
    private readonly IGrainFactory _grains;

    private OrleansDeployment(ChildServer silo, IHost client)
    {
        _silo = silo;
        _client = client;
        _grains = client.Services.GetRequiredService<IClusterClient>();
    }

    public static async Task<IEchoDeployment> StartAsync(CancellationToken cancellationToken)
    {
        var ports = FreePorts.Take(2);
        var silo = await ChildServer.StartAsync(
            Name,
            [ServeCommand.Orleans, ports[0].ToString(CultureInfo.InvariantCulture), ports[1].ToString(CultureInfo.InvariantCulture)],
            cancellationToken).ConfigureAwait(false);
        try
        {
            var client = await EchoCluster.StartClientAsync(ports[1], cancellationToken).ConfigureAwait(false);
            return new OrleansDeployment(silo, client);
        }
        catch
        {
            await silo.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public ValueTask<IEchoTarget> CreateTargetAsync(int caller, CancellationToken cancellationToken) =>
        new(new GrainTarget(_grains.GetGrain<IEchoGrain>(caller)));

    public Task<long> ServerAllocatedBytesAsync(CancellationToken cancellationToken) => _silo.AllocatedBytesAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _client.StopAsync(grace.Token).ConfigureAwait(false);
            _client.Dispose();
        }
        finally
        {
            await _silo.DisposeAsync().ConfigureAwait(false);
        }
    }

    // Grain calls take no cancellation token; the load runner checks its own between calls.
    private sealed class GrainTarget(IEchoGrain grain) : IEchoTarget
    {
        public ValueTask<string> EchoAsync(string text, CancellationToken cancellationToken) => new(grain.Echo(text));
    }
}
