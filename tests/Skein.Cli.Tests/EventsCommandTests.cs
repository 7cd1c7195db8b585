using static Skein.Cli.Tests.ClusterTests;

namespace Skein.Cli.Tests;

/// <summary><c>skein events</c> and <c>skein publish</c> against a real coordinator process.</summary>
public sealed class EventsCommandTests
{
    private static readonly TimeSpan Timeout = TestPatience.Ceiling;

    [Fact]
    public async Task Skein_events_follow_prints_published_events_and_node_joins_as_they_happen()
    {
        using var dir = new TempDirectory();
        var (coordinator, _) = await StartCoordinatorAsync(dir.Path);
        await using var _c = coordinator;
        await using var follow = SkeinProcess.Start(dir.Path, "events", "--follow");
        await follow.WaitForOutputAsync("following events matching '>'", Timeout);

        var published = await SkeinProcess.RunAsync(dir.Path, "publish", "demo.hello", """{"x":1}""");
        Assert.True(published.ExitCode == 0, published.ToString());
        await follow.WaitForOutputAsync("""demo.hello {"x":1}""", Timeout);

        await using var node = await StartNodeAsync(dir.Path, "watched");
        await follow.WaitForOutputAsync("""node.joined {"name":"watched",""", Timeout);
        Assert.Matches(@"(?m)^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z demo\.hello \{""x"":1\}$", follow.Stdout);

        await StopAsync(follow);
        await StopAsync(node);
        await StopAsync(coordinator);
    }

    [Fact]
    public async Task Skein_events_without_follow_prints_the_matching_history_and_exits()
    {
        using var dir = new TempDirectory();
        // The history must hold exactly what the test made: a node starved of CPU on a loaded machine must not be
        // declared lost (and join again) in between, so the loss window is far longer than the test.
        var (coordinator, _) = await StartCoordinatorAsync(dir.Path, "127.0.0.1:0", "--lost-after", "600");
        await using var _c = coordinator;
        await using var node = await StartNodeAsync(dir.Path, "early");
        Assert.Equal(0, (await SkeinProcess.RunAsync(dir.Path, "publish", "demo.text", "plain words")).ExitCode);
        Assert.Equal(0, (await SkeinProcess.RunAsync(dir.Path, "publish", "demo.blob", "AAEC", "--content-type", "application/octet-stream")).ExitCode);

        var all = await SkeinProcess.RunAsync(dir.Path, "events");
        Assert.True(all.ExitCode == 0, all.ToString());
        var lines = all.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Contains("""node.joined {"name":"early",""", lines[0]);
        Assert.EndsWith(" demo.text plain words", lines[1]);
        Assert.EndsWith(" demo.blob <4 bytes>", lines[2]);

        var demo = await SkeinProcess.RunAsync(dir.Path, "events", "demo.*");
        Assert.True(demo.ExitCode == 0, demo.ToString());
        Assert.DoesNotContain("node.joined", demo.Stdout);
        Assert.Contains("demo.text", demo.Stdout);
    }

    [Fact]
    public async Task Skein_events_refuses_a_bad_pattern_and_publish_a_bad_subject_with_exit_code_2()
    {
        using var dir = new TempDirectory();
        var (coordinator, _) = await StartCoordinatorAsync(dir.Path);
        await using var _c = coordinator;

        var events = await SkeinProcess.RunAsync(dir.Path, "events", "a.>.b");
        Assert.Equal(2, events.ExitCode);
        Assert.Equal("skein: The subject pattern 'a.>.b' is invalid: '>' is token 2 at character 2 but may only be the last token.", events.Stderr.Trim());

        var publish = await SkeinProcess.RunAsync(dir.Path, "publish", "a.*", "1");
        Assert.Equal(2, publish.ExitCode);
        Assert.StartsWith("skein: The subject 'a.*' is invalid: token 2 contains the wildcard '*'", publish.Stderr.Trim());
    }

    [Fact]
    public async Task An_event_over_the_payload_limit_is_refused_at_publish_and_the_coordinator_keeps_serving()
    {
        using var dir = new TempDirectory();
        var (coordinator, address) = await StartCoordinatorAsync(dir.Path);
        await using var _c = coordinator;
        var limit = Skein.Cluster.Events.EventLimits.DefaultMaxPayloadBytes;

        var publish = await SkeinProcess.RunAsync(dir.Path, new byte[limit + 1], "publish", "too.big", "-", "--content-type", "application/octet-stream");
        Assert.True(publish.ExitCode == 2, publish.ToString());
        Assert.Contains("skein: The event on 'too.big' has a payload of 1,048,577 bytes, over the limit of 1,048,576 bytes (1 MiB) for one event", publish.Stderr);

        // A client that skips the check (any gRPC client) is refused by the coordinator itself, with the same words.
        var token = Skein.Cluster.Addressing.ClusterToken.Read(Path.Combine(dir.Path, ".skein", "token"));
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(address);
        var client = new Skein.Cluster.Protocol.Events.EventsClient(channel);
        var batch = new Skein.Cluster.Protocol.PublishBatch();
        batch.Events.Add(new Skein.Cluster.Protocol.OutgoingEvent { Subject = "too.big", Payload = Google.Protobuf.ByteString.CopyFrom(new byte[2 * limit]) });
        var refused = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () =>
            await client.PublishAsync(batch, new Grpc.Core.Metadata { { Skein.Cluster.Addressing.ClusterToken.Header, token } }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("over the limit of", refused.Status.Detail);

        var fits = await SkeinProcess.RunAsync(dir.Path, new byte[limit], "publish", "just.fits", "-", "--content-type", "application/octet-stream");
        Assert.True(fits.ExitCode == 0, fits.ToString());
        var events = await SkeinProcess.RunAsync(dir.Path, "events", "*.*");
        Assert.True(events.ExitCode == 0, events.ToString());
        Assert.Contains($"just.fits <{limit} bytes>", events.Stdout);
        Assert.DoesNotContain("too.big", events.Stdout);
    }
}
