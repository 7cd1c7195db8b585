using Grpc.Core;
using Grpc.Net.Client;
using Skein.Cluster.Addressing;
using Skein.Cluster.Barriers;
using Skein.Cluster.Client;
using Skein.Cluster.Configuration;
using Skein.Cluster.Protocol;
using Skein.Testing;

namespace Skein.Cluster.Tests.Barriers;

/// <summary>
/// Barriers and context exchange through a real coordinator's Rendezvous service on loopback, with a client per
/// participant, as experiments on different nodes would each have one.
/// </summary>
public sealed class BarrierTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TestPatience.Ceiling;
    private TestCluster _cluster = null!;
    private readonly List<SkeinClient> _clients = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private BarrierBoard Board => _cluster.Coordinator.BarrierBoard;

    public async ValueTask InitializeAsync() => _cluster = await TestCluster.StartAsync(nodes: 0, cancellationToken: Ct);

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients) await client.DisposeAsync();
        await _cluster.DisposeAsync();
    }

    private async Task<SkeinClient> ConnectAsync(string participant)
    {
        var client = await _cluster.ConnectClientAsync(new SkeinClientOptions { Participant = participant }, Ct);
        _clients.Add(client);
        return client;
    }

    /// <summary>Waits, without polling, until the coordinator has exactly <paramref name="participants"/> waiting at <paramref name="barrier"/>.</summary>
    private async Task WaitForWaitingAsync(string barrier, params string[] participants)
    {
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        patience.CancelAfter(Patience);
        while (true)
        {
            var next = Board.Changed.Next;
            if (Board.Waiting(barrier).SequenceEqual(participants)) return;
            await next.WaitAsync(patience.Token);
        }
    }

    [Fact]
    public async Task Three_participants_exchange_contexts_and_meet_again_under_the_same_name()
    {
        var a = await ConnectAsync("node-1/exp-a");
        var b = await ConnectAsync("node-2/exp-b");
        var c = await ConnectAsync("node-3/exp-c");

        var exchanged = await Task.WhenAll(
            a.ExchangeAsync("agents", 3, "tcp://10.0.0.1:4000", Patience, Ct),
            b.ExchangeAsync("agents", 3, "tcp://10.0.0.2:4000", Patience, Ct),
            c.ExchangeAsync("agents", 3, """{"port":4000}""", Patience, Ct));

        var expected = new Dictionary<string, string>
        {
            ["node-1/exp-a"] = "tcp://10.0.0.1:4000",
            ["node-2/exp-b"] = "tcp://10.0.0.2:4000",
            ["node-3/exp-c"] = """{"port":4000}""",
        };
        Assert.All(exchanged, contexts => Assert.Equal(expected, contexts.OrderBy(p => p.Key).ToDictionary()));

        // The name is free again: the same three meet a second time (everyone waits for everyone to finish).
        var done = await Task.WhenAll(a.BarrierAsync("agents", 3, Patience, Ct), b.BarrierAsync("agents", 3, Patience, Ct),
            c.BarrierAsync("agents", 3, Patience, Ct));
        Assert.All(done, met => Assert.Equal(["node-1/exp-a", "node-2/exp-b", "node-3/exp-c"], met.Participants.Order(StringComparer.Ordinal)));
        Assert.All(done, met => Assert.Equal("", met.Contexts["node-2/exp-b"]));
        Assert.Equal(0, Board.OpenCount);
    }

    [Fact]
    public async Task A_barrier_of_one_releases_at_once_and_the_participant_defaults_to_host_and_process()
    {
        await using var client = await _cluster.ConnectClientAsync(cancellationToken: Ct);

        var met = await client.BarrierAsync("alone", 1, Patience, Ct);

        Assert.StartsWith($"{Environment.MachineName}/{Environment.ProcessId}", client.Participant);
        Assert.Equal([client.Participant], met.Participants);
    }

    [Fact]
    public async Task A_timeout_names_who_arrived_and_how_many_are_missing()
    {
        var a = await ConnectAsync("node-1/exp-a");
        var b = await ConnectAsync("node-2/exp-b");
        using var cancelA = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var first = a.BarrierAsync("setup", 3, Patience, cancelA.Token);
        await WaitForWaitingAsync("setup", "node-1/exp-a");

        var timedOut = await Assert.ThrowsAsync<BarrierTimeoutException>(() => b.BarrierAsync("setup", 3, TimeSpan.FromMilliseconds(200), Ct));

        Assert.Equal("barrier 'setup' timed out after 200ms: 2 of 3 arrived (node-1/exp-a, node-2/exp-b); missing 1", timedOut.Message);
        Assert.Equal(["node-1/exp-a", "node-2/exp-b"], timedOut.Arrived);
        Assert.Equal(1, timedOut.MissingCount);
        Assert.Empty(timedOut.Missing);
        // The one that timed out is withdrawn; the other still waits.
        await WaitForWaitingAsync("setup", "node-1/exp-a");
        Assert.False(first.IsCompleted);
        await cancelA.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
    }

    [Fact]
    public async Task A_timeout_names_the_declared_participants_that_are_missing()
    {
        string[] team = ["node-1/exp-a", "node-2/exp-b", "node-3/exp-c"];
        var b = await ConnectAsync("node-2/exp-b");

        var timedOut = await Assert.ThrowsAsync<BarrierTimeoutException>(() => b.ExchangeAsync("team", team, "here", TimeSpan.FromMilliseconds(100), Ct));

        Assert.Equal("barrier 'team' timed out after 100ms: 1 of 3 arrived (node-2/exp-b); missing node-1/exp-a, node-3/exp-c", timedOut.Message);
        Assert.Equal(["node-1/exp-a", "node-3/exp-c"], timedOut.Missing);
        Assert.Equal(0, Board.OpenCount);
    }

    [Fact]
    public async Task A_cancelled_participant_is_withdrawn_and_does_not_count()
    {
        var a = await ConnectAsync("node-1/exp-a");
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var waiting = a.BarrierAsync("start", 3, Patience, cancel.Token);
        await WaitForWaitingAsync("start", "node-1/exp-a");

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        await WaitForWaitingAsync("start");
        var others = new[] { await ConnectAsync("node-2/exp-b"), await ConnectAsync("node-3/exp-c"), await ConnectAsync("node-4/exp-d") };
        var met = await Task.WhenAll(others.Select(o => o.BarrierAsync("start", 3, Patience, Ct)));
        Assert.All(met, m => Assert.Equal(["node-2/exp-b", "node-3/exp-c", "node-4/exp-d"], m.Participants.Order(StringComparer.Ordinal)));
    }

    [Fact]
    public async Task A_participant_whose_client_goes_away_is_withdrawn()
    {
        var gone = await _cluster.ConnectClientAsync(new SkeinClientOptions { Participant = "node-1/gone" }, Ct);
        var waiting = gone.BarrierAsync("start", 2, Patience, Ct);
        await WaitForWaitingAsync("start", "node-1/gone");

        await gone.DisposeAsync();

        await WaitForWaitingAsync("start");
        var closed = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal("arriving at barrier 'start' was cancelled: the client was closed", closed.Message);
    }

    [Fact]
    public async Task Bad_input_is_refused_naming_the_problem()
    {
        var a = await ConnectAsync("node-1/exp-a");

        var zero = await Assert.ThrowsAsync<ArgumentException>(() => a.BarrierAsync("b", 0, Patience, Ct));
        Assert.Equal("barrier 'b': the count must be 1 to 1,024 participants, not 0", zero.Message);
        var many = await Assert.ThrowsAsync<ArgumentException>(() => a.BarrierAsync("b", 5000, Patience, Ct));
        Assert.Contains("not 5,000", many.Message);
        var large = await Assert.ThrowsAsync<ArgumentException>(() => a.ExchangeAsync("b", 2, new string('x', 64 * 1024 + 1), Patience, Ct));
        Assert.Equal("barrier 'b': the context of 'node-1/exp-a' is 65,537 bytes, over the limit of 65,536 bytes (64 KiB); exchange a reference to large data (a path, a URL) instead", large.Message);
        var empty = await Assert.ThrowsAsync<ArgumentException>(() => a.BarrierAsync("", 2, Patience, Ct));
        Assert.Equal("the barrier name is empty", empty.Message);
        var stranger = await Assert.ThrowsAsync<ArgumentException>(() => a.BarrierAsync("b", ["x", "y"], Patience, Ct));
        Assert.Equal("barrier 'b': the participant 'node-1/exp-a' is not one of those declared (x, y)", stranger.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => a.BarrierAsync("b", 2, TimeSpan.Zero, Ct));
        Assert.Throws<SkeinException>(() => new SkeinClientOptions { Participant = "tab\there" }.Validate());
        Assert.Equal(0, Board.OpenCount);
    }

    [Fact]
    public async Task An_arrival_that_does_not_fit_the_meeting_under_way_is_refused()
    {
        var a = await ConnectAsync("node-1/exp-a");
        var again = await ConnectAsync("node-1/exp-a");
        var b = await ConnectAsync("node-2/exp-b");
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var waiting = a.BarrierAsync("b", 3, Patience, cancel.Token);
        await WaitForWaitingAsync("b", "node-1/exp-a");

        var count = await Assert.ThrowsAsync<SkeinException>(() => b.BarrierAsync("b", 4, Patience, Ct));
        Assert.Equal("barrier 'b' is meeting 3 participants; 'node-2/exp-b' arrived for 4", count.Message);
        var twice = await Assert.ThrowsAsync<SkeinException>(() => again.BarrierAsync("b", 3, Patience, Ct));
        Assert.Equal("barrier 'b': a participant named 'node-1/exp-a' is already waiting there; give each participant its own name", twice.Message);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }

    [Fact]
    public async Task The_coordinator_checks_the_bounds_itself_for_clients_in_other_languages()
    {
        using var channel = GrpcChannel.ForAddress(_cluster.Address);
        var rendezvous = new Rendezvous.RendezvousClient(channel);
        var headers = new Metadata { { ClusterToken.Header, _cluster.Token } };

        var zero = await Assert.ThrowsAsync<RpcException>(() => rendezvous.ArriveAsync(
            new ArriveRequest { Barrier = "b", Participant = "p", Count = 0, TimeoutMs = 1000 }, headers, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, zero.StatusCode);
        Assert.Equal("barrier 'b': the count must be 1 to 1,024 participants, not 0", zero.Status.Detail);
        var noTimeout = await Assert.ThrowsAsync<RpcException>(() => rendezvous.ArriveAsync(
            new ArriveRequest { Barrier = "b", Participant = "p", Count = 1 }, headers, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, noTimeout.StatusCode);
        Assert.Contains("the timeout must be positive", noTimeout.Status.Detail);
        var noToken = await Assert.ThrowsAsync<RpcException>(() => rendezvous.ArriveAsync(
            new ArriveRequest { Barrier = "b", Participant = "p", Count = 1, TimeoutMs = 1000 }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, noToken.StatusCode);
    }
}
