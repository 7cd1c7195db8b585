using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Skein.Cluster.Addressing;
using Skein.Cluster.Client;
using Skein.Cluster.Configuration;

namespace Skein.Cluster.Hosting;

/// <summary>
/// The <see cref="SkeinClient"/> of an application that is a client only (<c>AddSkeinClient</c>): connected when the
/// host starts, so that a coordinator that cannot be reached fails the start, and disposed when it stops.
/// </summary>
internal sealed class ClientConnection(IOptions<SkeinClientOptions> options) : IHostedService, IAsyncDisposable
{
    private SkeinClient? _client;

    public SkeinClient Client => _client ?? throw new InvalidOperationException("the Skein client connects when the host starts; resolve it after that");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var given = options.Value;
        var state = given.StateDirectory ?? ClusterLocator.DefaultStateDirectory;
        var coordinator = ClusterLocator.ResolveAddress(given.Coordinator.Length > 0 ? given.Coordinator : null, state);
        var token = given.Token.Length > 0 ? given.Token : ClusterLocator.ResolveToken(null, state);
        _client = await SkeinClient.ConnectAsync(coordinator, token, given, cancellationToken).ConfigureAwait(false);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _client, null) is { } client) await client.DisposeAsync().ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => new(StopAsync(CancellationToken.None));
}
