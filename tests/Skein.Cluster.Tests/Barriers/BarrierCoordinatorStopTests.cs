using Skein.Cluster.Addressing;
using Skein.Cluster.Client;
using Skein.Cluster.Configuration;

namespace Skein.Cluster.Tests.Barriers;

/// <summary>A coordinator that stops while participants wait fails them with a clear error rather than leaving them to hang.</summary>
public sealed class BarrierCoordinatorStopTests
{
    private static readonly TimeSpan Patience = TestPatience.Ceiling;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Waiters_fail_saying_the_coordinator_went_away_and_to_arrive_again()
    {
        using var state = new TempDirectory();
        await using var coordinator = await Coordinator.StartAsync(new CoordinatorOptions { Listen = "127.0.0.1:0", StateDirectory = state.Path }, cancellationToken: Ct);
        await using var client = await SkeinClient.ConnectAsync(coordinator.Address, ClusterToken.Read(coordinator.TokenPath),
            new SkeinClientOptions { Participant = "node-1/exp-a" }, Ct);
        var waiting = client.BarrierAsync("setup", 2, Patience, Ct);
        var board = coordinator.BarrierBoard;
        while (true)
        {
            var next = board.Changed.Next;
            if (board.Waiting("setup").Count == 1) break;
            await next.WaitAsync(Patience, Ct);
        }

        await coordinator.StopAsync(Ct);

        var failed = await Assert.ThrowsAsync<SkeinException>(() => waiting.WaitAsync(Patience, Ct));
        Assert.StartsWith($"barrier 'setup' failed: the coordinator at {ClusterAddress.Format(coordinator.Address)} went away while this participant waited", failed.Message);
        Assert.Contains("the coordinator is stopping", failed.Message);
        Assert.EndsWith("arrive again once it is back", failed.Message);
    }
}
