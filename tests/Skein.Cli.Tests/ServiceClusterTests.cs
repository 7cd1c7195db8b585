using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Skein.Cluster;
using Skein.Cluster.Protocol;
using Skein.Examples.Services;
using Skein.Cluster.Addressing;
using Skein.Cluster.Client;
using Skein.Cluster.Configuration;

namespace Skein.Cli.Tests;

/// <summary>
/// Remote services across real processes on loopback: a coordinator and nodes hosting the example services
/// (examples/services), called from the skein CLI and from <see cref="SkeinClient"/>, while nodes are killed,
/// the coordinator restarts and the ports are fed garbage.
/// </summary>
[Collection(ServiceClusterTests.Collection)]
public sealed partial class ServiceClusterTests(ExampleCluster cluster) : IClassFixture<ExampleCluster>
{
    /// <summary>
    /// The tests that start whole clusters with modules run in two lines, each one test at a time: this one (services,
    /// their failures) and <see cref="ModuleCollection"/> (modules, apps, configuration files, runs on nodes). Each
    /// test starts several processes; more of them side by side on a two-core machine only starve the ones starting.
    /// </summary>
    public const string Collection = "service cluster processes";

    /// <summary>The second line of cluster tests: see <see cref="Collection"/>.</summary>
    public const string ModuleCollection = "module and run cluster processes";

    internal static readonly TimeSpan Timeout = TestPatience.Ceiling;

    /// <summary>The example services assembly, copied next to the tests by the project reference.</summary>
    internal static string Module => Path.Combine(AppContext.BaseDirectory, "Skein.Examples.Services.dll");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Two_nodes_host_the_example_services_and_skein_call_reaches_them()
    {
        var services = await cluster.RunAsync("services");
        Assert.True(services.ExitCode == 0, services.ToString());
        Assert.Matches(@"(?m)^counter\s+singleton\s+\S+\s+alpha,beta\s", services.Stdout);
        Assert.Matches(@"(?m)^echo\s+per-connection\s+\S+\s+alpha,beta\s+Calls\(\) → Int32, Echo\(String\) → String, Repeat\(String, Int32\) → stream String$", services.Stdout);
        Assert.Matches(@"(?m)^worker\s+pooled\s+\S+\s+alpha,beta\s+Process\(String\) → WorkDone", services.Stdout);

        var echo = await cluster.RunAsync("call", "echo", "Echo", """["hi"]""");
        Assert.True(echo.ExitCode == 0, echo.ToString());
        Assert.Equal("\"hi\"", echo.Stdout.Trim());

        var work = await cluster.RunAsync("call", "worker", "Process", """["apple"]""");
        Assert.True(work.ExitCode == 0, work.ToString());
        Assert.Matches("""^\{"item":"APPLE","node":"(alpha|beta)","processId":\d+\}$""", work.Stdout.Trim());
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_wrong_token_is_refused_by_the_cli_the_client_and_the_node()
    {
        var wrong = cluster.Directory.WritePrivate("wrong-token", "0123456789abcdef0123456789abcdef");
        var call = await cluster.RunAsync("call", "echo", "Echo", """["hi"]""", "--token-file", wrong);
        Assert.True(call.ExitCode != 0, call.ToString());
        Assert.Contains("unauthenticated", call.Stderr);
        Assert.DoesNotContain("   at ", call.Stderr);
        Assert.Empty(call.Stdout);

        var refused = await Assert.ThrowsAnyAsync<SkeinException>(() => SkeinClient.ConnectAsync(cluster.Address, "not-the-token", cancellationToken: Ct));
        Assert.Contains("unauthenticated", refused.Message);

        // The node's call port checks the token as well as the coordinator does.
        using var channel = GrpcChannel.ForAddress($"http://{await cluster.NodeAddressAsync("alpha")}");
        using var connect = new Calls.CallsClient(channel).Connect(new Metadata { { ClusterToken.Header, "not-the-token" } }, cancellationToken: Ct);
        var rpc = await Assert.ThrowsAsync<RpcException>(() => connect.ResponseStream.MoveNext(Ct).WaitAsync(Timeout, Ct));
        Assert.Equal(StatusCode.Unauthenticated, rpc.StatusCode);

        await cluster.AssertServingAsync();
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Garbage_and_http1_on_the_node_and_coordinator_ports_leave_both_serving()
    {
        var random = new Random(7);
        var garbage = new byte[8192];
        random.NextBytes(garbage);
        byte[][] inputs =
        [
            garbage,
            "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"u8.ToArray(),
            // Past the HTTP/2 preface, then nonsense frames: deeper into the server than plain garbage gets.
            [.. "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8, .. garbage],
        ];
        var ports = new[] { cluster.Address.Port, new Uri($"http://{await cluster.NodeAddressAsync("alpha")}").Port, new Uri($"http://{await cluster.NodeAddressAsync("beta")}").Port };
        foreach (var port in ports)
        {
            foreach (var bytes in inputs) await SendAndDrainAsync(port, bytes);
        }
        await cluster.AssertServingAsync();
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Malformed_envelopes_on_a_node_call_stream_are_answered_with_errors_and_the_node_keeps_serving()
    {
        using var channel = GrpcChannel.ForAddress($"http://{await cluster.NodeAddressAsync("alpha")}");
        using var connect = new Calls.CallsClient(channel).Connect(new Metadata { { ClusterToken.Header, cluster.Token } }, cancellationToken: Ct);
        var garbage = new byte[512];
        new Random(3).NextBytes(garbage);
        static Envelope Request(ulong id, string contentType, byte[] payload, string service = "echo", string method = "Echo", ulong instance = 0) => new()
        {
            Kind = EnvelopeKind.Request, ConversationId = id, Service = service, Method = method, ContentType = contentType,
            Payload = ByteString.CopyFrom(payload), Instance = instance,
        };
        var expected = new Dictionary<ulong, (string What, Skein.Cluster.Protocol.RemoteErrorKind Kind)>
        {
            [1] = ("msgpack garbage", Skein.Cluster.Protocol.RemoteErrorKind.MethodNotFound), // it decodes as an array of the wrong length
            [2] = ("JSON that is not JSON", Skein.Cluster.Protocol.RemoteErrorKind.BadArguments),
            [3] = ("an unknown content type", Skein.Cluster.Protocol.RemoteErrorKind.BadArguments),
            [4] = ("an object with a type name where a string goes", Skein.Cluster.Protocol.RemoteErrorKind.BadArguments),
            [5] = ("an instance never opened", Skein.Cluster.Protocol.RemoteErrorKind.Unavailable),
            [6] = ("a response sent to the node", Skein.Cluster.Protocol.RemoteErrorKind.Internal),
            [7] = ("no service at all", Skein.Cluster.Protocol.RemoteErrorKind.ServiceNotFound),
        };
        var frame = new Frame
        {
            Envelopes =
            {
                Request(1, "application/x-msgpack", garbage),
                Request(2, "application/json", "not json"u8.ToArray()),
                Request(3, "text/x-nonsense", """["hi"]"""u8.ToArray()),
                Request(4, "application/json", """[{"$type":"System.IO.FileInfo, System.IO.FileSystem","fileName":"/etc/passwd"}]"""u8.ToArray()),
                Request(5, "application/json", """["hi"]"""u8.ToArray(), instance: 424242),
                new Envelope { Kind = EnvelopeKind.Response, ConversationId = 6, Payload = ByteString.CopyFrom(garbage) },
                Request(7, "application/json", "[]"u8.ToArray(), service: "", method: ""),
                new Envelope { Kind = EnvelopeKind.Cancel, ConversationId = 999 },
                new Envelope { Kind = EnvelopeKind.Release, Service = "echo", Instance = 31337 },
                Request(8, "application/json", """["fine"]"""u8.ToArray()),
            },
        };
        await connect.RequestStream.WriteAsync(frame, Ct).WaitAsync(Timeout, Ct);

        var answers = new Dictionary<ulong, Envelope>();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(Timeout);
        while (!Enumerable.Range(1, 8).All(id => answers.ContainsKey((ulong)id)) && await connect.ResponseStream.MoveNext(deadline.Token))
        {
            foreach (var envelope in connect.ResponseStream.Current.Envelopes) answers[envelope.ConversationId] = envelope;
        }
        foreach (var (id, (what, kind)) in expected)
        {
            Assert.True(answers.TryGetValue(id, out var answer), $"no answer to {what}");
            Assert.True(answer.Status == EnvelopeStatus.Error && answer.Error.Kind == kind, $"{what}: {answer}");
            Assert.Contains("alpha", answer.Error.Message + answer.Error.Node);
        }
        Assert.Equal(EnvelopeStatus.Ok, answers[8].Status);
        Assert.Equal("\"fine\"", answers[8].Payload.ToStringUtf8());
        Assert.DoesNotContain(999UL, answers.Keys);

        await connect.RequestStream.CompleteAsync().WaitAsync(Timeout, Ct);
        await cluster.AssertServingAsync();
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_frame_over_the_transport_limit_is_refused_and_the_node_keeps_serving()
    {
        using var channel = GrpcChannel.ForAddress($"http://{await cluster.NodeAddressAsync("beta")}", new GrpcChannelOptions { MaxSendMessageSize = null });
        using var connect = new Calls.CallsClient(channel).Connect(new Metadata { { ClusterToken.Header, cluster.Token } }, cancellationToken: Ct);
        var huge = new Envelope { Kind = EnvelopeKind.Request, ConversationId = 1, Service = "echo", Method = "Echo", ContentType = "application/json", Payload = ByteString.CopyFrom(new byte[20 << 20]) };
        try
        {
            await connect.RequestStream.WriteAsync(new Frame { Envelopes = { huge } }, Ct).WaitAsync(Timeout, Ct);
        }
        catch (RpcException)
        {
            // the node may reset the stream while it is still being written
        }
        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await connect.ResponseStream.MoveNext(Ct).WaitAsync(Timeout, Ct)) { }
        });
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("node beta refused a frame over its limit of 16.06 MiB", refused.Status.Detail);
        await cluster.AssertServingAsync();
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Calls_the_services_do_not_have_or_too_large_are_refused_naming_the_problem()
    {
        var method = await cluster.RunAsync("call", "echo", "Shout", """["hi"]""");
        Assert.True(method.ExitCode == 1, method.ToString());
        Assert.Contains("Shout", method.Stderr);
        Assert.Contains("echo", method.Stderr);
        Assert.Contains("MethodNotFound", method.Stderr);

        var count = await cluster.RunAsync("call", "echo", "Echo", """["a", "b", "c"]""");
        Assert.True(count.ExitCode == 1, count.ToString());
        Assert.Contains("Echo", count.Stderr);
        Assert.Contains("3", count.Stderr);

        var service = await cluster.RunAsync("call", "nosuch", "Echo", """["hi"]""");
        Assert.True(service.ExitCode == 1, service.ToString());
        Assert.Contains("'nosuch'", service.Stderr);

        // Too large for a command line: the arguments come through standard input.
        var huge = Encoding.UTF8.GetBytes($"[\"{new string('x', 17 << 20)}\"]");
        var large = await cluster.RunAsync(huge, "call", "echo", "Echo", "-");
        Assert.True(large.ExitCode == 1, large.ToString());
        Assert.Contains("over the limit of 16 MiB", large.Stderr);
        Assert.Contains("MessageTooLarge", large.Stderr);

        await using var client = await cluster.ConnectAsync();
        await using var echo = await client.GetServiceAsync<IEcho>(Ct);
        var tooLarge = await Assert.ThrowsAsync<RemoteException>(() => echo.EchoAsync(new string('y', 17 << 20), Ct));
        Assert.Equal(RemoteErrorKind.MessageTooLarge, tooLarge.Kind);
        Assert.Contains("16 MiB", tooLarge.Message);
        Assert.Equal("fits", await echo.EchoAsync("fits", Ct));

        await cluster.AssertServingAsync();
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_node_joining_under_a_live_name_is_refused_and_the_first_keeps_serving()
    {
        var twin = await cluster.RunAsync("node", "--name", "alpha", "--module", Module);
        Assert.True(twin.ExitCode == 2, twin.ToString());
        Assert.Contains("a node named 'alpha' is already alive", twin.Stderr);
        Assert.DoesNotContain("   at ", twin.Stderr);

        // The original alpha, not the refused one, still answers for alpha.
        var answered = await cluster.AssertServingAsync();
        Assert.Equal(cluster.Alpha.Id, answered["alpha"]);
        var nodes = await cluster.RunAsync("nodes");
        Assert.Single(Regex.Matches(nodes.Stdout, @"(?m)^alpha\s"));
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task An_unreachable_coordinator_is_a_clear_error_within_five_seconds()
    {
        var port = ExampleCluster.ClosedPort();
        var token = cluster.Directory.WritePrivate("some-token", "0123456789abcdef0123456789abcdef");

        // Allowed to try for far longer than this test may run: only a refusal taken at once can end it in time.
        var call = await cluster.RunAsync("call", "echo", "Echo", """["hi"]""", "--cluster", $"127.0.0.1:{port}", "--token-file", token, "--timeout", "1h");
        Assert.True(call.ExitCode == 1, call.ToString());
        Assert.Contains($"skein: cannot reach the cluster at http://127.0.0.1:{port}: ", call.Stderr);

        var patient = new SkeinClientOptions { ConnectTimeout = TimeSpan.FromHours(1) };
        var error = await Assert.ThrowsAnyAsync<SkeinException>(() => SkeinClient.ConnectAsync(new Uri($"http://127.0.0.1:{port}"), "t", patient, Ct));
        Assert.Contains($"127.0.0.1:{port}", error.Message);
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_coordinator_that_accepts_but_never_answers_is_waited_for_as_long_as_the_timeout_then_exit_1()
    {
        // Accepts TCP connections and never says a word: a coordinator too busy to answer.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<TcpClient>();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true) accepted.Add(await silent.AcceptTcpClientAsync(Ct));
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // stopped
            }
        }, Ct);
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var token = cluster.Directory.WritePrivate("silent-token", "0123456789abcdef0123456789abcdef");
        try
        {
            // Longer than the connect deadline skein once had (4 s): the user's timeout governs, and its expiry is
            // an unreachable cluster (exit 1), not bad input.
            var call = await cluster.RunAsync("call", "echo", "Echo", """["hi"]""", "--cluster", $"127.0.0.1:{port}", "--token-file", token, "--timeout", "5s");
            Assert.True(call.ExitCode == 1, call.ToString());
            Assert.Contains($"skein: cannot reach the cluster at http://127.0.0.1:{port}: ", call.Stderr);
            Assert.Contains("5s", call.Stderr);
            Assert.DoesNotContain("   at ", call.Stderr);
        }
        finally
        {
            silent.Stop();
            await accepting;
            foreach (var client in accepted) client.Dispose();
        }
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task An_unknown_option_or_command_is_exit_2_naming_it()
    {
        var option = await cluster.RunAsync("call", "echo", "Echo", """["hi"]""", "--bogus-option");
        Assert.True(option.ExitCode == 2, option.ToString());
        Assert.Contains("--bogus-option", option.Stderr);

        var command = await cluster.RunAsync("frobnicate");
        Assert.True(command.ExitCode == 2, command.ToString());
        Assert.Contains("frobnicate", command.Stderr);
    }

    private static async Task SendAndDrainAsync(int port, byte[] bytes)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, Ct);
        var stream = client.GetStream();
        var buffer = new byte[4096];
        try
        {
            await stream.WriteAsync(bytes, Ct);
            // The server answers (an HTTP/2 GOAWAY, an HTTP/1.1 error) and closes; wait for that close.
            while (await stream.ReadAsync(buffer, Ct).AsTask().WaitAsync(Timeout, Ct) > 0) { }
        }
        catch (IOException)
        {
            // reset: refused all the same
        }
    }
}

/// <summary>A coordinator and two nodes, alpha and beta, hosting the example services; shared by the tests that leave it whole.</summary>
public sealed class ExampleCluster : IAsyncLifetime
{
    private SkeinProcess? _coordinator;

    internal TempDirectory Directory { get; } = new();

    public Uri Address { get; private set; } = null!;

    internal SkeinProcess Alpha { get; private set; } = null!;

    internal SkeinProcess Beta { get; private set; } = null!;

    public string Token => ClusterToken.Read(Path.Combine(Directory.Path, ".skein", ClusterToken.FileName));

    public async ValueTask InitializeAsync()
    {
        try
        {
            (_coordinator, Address) = await StartCoordinatorAsync(Directory.Path);
            Alpha = await StartNodeAsync(Directory.Path, "alpha");
            Beta = await StartNodeAsync(Directory.Path, "beta");
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    internal Task<SkeinResult> RunAsync(params string[] args) => SkeinProcess.RunAsync(Directory.Path, args);

    internal Task<SkeinResult> RunAsync(byte[] input, params string[] args) => SkeinProcess.RunAsync(Directory.Path, input, args);

    public Task<SkeinClient> ConnectAsync() => SkeinClient.ConnectAsync(Address, Token, cancellationToken: TestContext.Current.CancellationToken);

    /// <summary>Where the node serves calls, as it registered it.</summary>
    public async Task<string> NodeAddressAsync(string node)
    {
        await using var directory = new ServiceDirectory(Address, Token);
        await directory.StartAsync(TestContext.Current.CancellationToken).WaitAsync(ServiceClusterTests.Timeout, TestContext.Current.CancellationToken);
        return directory.Resolve("echo").Single(l => l.NodeName == node).Address;
    }

    /// <summary>Both nodes answer the pooled worker, and the CLI's echo works; returns each node's process id.</summary>
    public async Task<Dictionary<string, int>> AssertServingAsync()
    {
        var echo = await RunAsync("call", "echo", "Echo", """["still here"]""");
        Assert.True(echo.ExitCode == 0, echo.ToString());
        Assert.Equal("\"still here\"", echo.Stdout.Trim());
        await using var client = await ConnectAsync();
        return await AnswersFromAsync(client, "alpha", "beta");
    }

    /// <summary>Calls the pooled worker until every one of <paramref name="nodes"/> has answered; returns their process ids.</summary>
    public static async Task<Dictionary<string, int>> AnswersFromAsync(SkeinClient client, params string[] nodes)
    {
        var worker = await client.GetServiceAsync<IWorker>(TestContext.Current.CancellationToken);
        var seen = new Dictionary<string, int>();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(ServiceClusterTests.Timeout);
        while (!nodes.All(seen.ContainsKey))
        {
            var done = await worker.ProcessAsync("item", deadline.Token);
            Assert.Equal("ITEM", done.Item);
            seen[done.Node] = done.ProcessId;
        }
        return seen;
    }

    internal static async Task<(SkeinProcess Process, Uri Address)> StartCoordinatorAsync(string directory, string listen = "127.0.0.1:0")
    {
        var coordinator = SkeinProcess.Start(directory, "coordinator", "--listen", listen);
        try
        {
            await coordinator.WaitForOutputAsync("coordinator listening on", ServiceClusterTests.Timeout);
        }
        catch
        {
            await coordinator.DisposeAsync();
            throw;
        }
        var address = Regex.Match(coordinator.Stdout, @"coordinator listening on (http://\S+)").Groups[1].Value;
        return (coordinator, new Uri(address));
    }

    internal static async Task<SkeinProcess> StartNodeAsync(string directory, string name, params string[] more)
    {
        var node = SkeinProcess.Start(directory, ["node", "--name", name, "--module", ServiceClusterTests.Module, .. more]);
        try
        {
            await node.WaitForOutputAsync($"node {name} joined", ServiceClusterTests.Timeout);
        }
        catch (Exception ex)
        {
            var output = $"node {name} did not join: {ex.Message}\n{node.Stdout}\n{node.Stderr}";
            await node.DisposeAsync();
            throw new InvalidOperationException(output, ex);
        }
        return node;
    }

    internal static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        // Nodes first, so they do not spend the coordinator's last moments reconnecting.
        if (Beta is not null) await Beta.DisposeAsync();
        if (Alpha is not null) await Alpha.DisposeAsync();
        if (_coordinator is not null) await _coordinator.DisposeAsync();
        Directory.Dispose();
    }
}
