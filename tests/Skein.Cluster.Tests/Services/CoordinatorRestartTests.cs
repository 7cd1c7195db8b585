using Skein.Cluster.Tests.Support;
using Skein.Cluster.Addressing;
using Skein.Cluster.Client;
using Skein.Cluster.Configuration;
using Skein.Cluster.Services;

namespace Skein.Cluster.Tests.Services;

/// <summary>A coordinator stopped and started again on the same port and state directory, with a node and a directory that outlive it.</summary>
public sealed class CoordinatorRestartTests
{
    private static readonly TimeSpan Timeout = TestPatience.Ceiling;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_restarted_coordinator_learns_the_services_again_and_the_directory_resyncs()
    {
        using var state = new TempDirectory();
        var options = new CoordinatorOptions { Listen = "127.0.0.1:0", StateDirectory = state.Path };
        var first = await Coordinator.StartAsync(options, cancellationToken: Ct);
        var token = ClusterToken.Read(first.TokenPath);
        var address = first.Address;

        await using var running = await TestHosts.StartNodeAsync(first, "a", configure: o => o.Services = [TestServices.Echo()], cancellationToken: Ct);
        var node = running.Runtime;

        await using var directory = new ServiceDirectory(address, token);
        await directory.StartAsync(Ct);
        var before = directory.Resolve("echo").Single();
        var gone = new List<NodeGoneEventArgs>();
        directory.NodeGone += (_, e) => { lock (gone) gone.Add(e); };

        await first.DisposeAsync();
        await directory.WaitUntilAsync(_ => !directory.IsConnected, Ct).WaitAsync(Timeout, Ct);
        Assert.Same(before, directory.Resolve("echo").Single()); // routes stay usable while the coordinator is away

        options.Listen = $"127.0.0.1:{address.Port}";
        await using var second = await Coordinator.StartAsync(options, cancellationToken: Ct);
        await second.Membership.WaitForAliveAsync(1, Ct).WaitAsync(Timeout, Ct);
        var member = second.Membership.List().Single();
        Assert.Equal(("a", node.CallAddress, "echo"), (member.Name, member.CallAddress, member.Services.Single().Name));

        // The directory sees the node under the id the new coordinator gave it, and the same address: no NodeGone.
        await directory.WaitUntilAsync(r => directory.IsConnected && r.Resolve("echo") is [{ } host] && host.NodeId == node.NodeId && !ReferenceEquals(host, before), Ct)
            .WaitAsync(Timeout, Ct);
        Assert.Equal(node.CallAddress, directory.Resolve("echo").Single().Address);
        lock (gone) Assert.Empty(gone);
    }
}
