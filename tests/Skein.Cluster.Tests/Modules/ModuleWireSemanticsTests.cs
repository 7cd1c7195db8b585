using System.Text;
using Skein.Cluster.Client;
using Skein.Cluster.Configuration;
using Skein.Cluster.Protocol;
using Skein.Cluster.Services;
using Skein.Cluster.Services.Client;
using Skein.Cluster.Tests.Services;
using ServiceHost = Skein.Cluster.Services.Hosting.ServiceHost;

namespace Skein.Cluster.Tests.Modules;

/// <summary>The C# side of the tally module below.</summary>
[Service("tally")]
public interface ITally
{
    Task<int> CountAsync();
}

/// <summary>
/// The node's rules for calls do not depend on who answers them: for a Python module process as for a .NET service
/// (<see cref="WireSemanticsTests"/>), the node ends a call itself at its deadline or on a cancel, answers carry the
/// request's id, an empty content type is JSON, and a per-connection call without a reservation gets an object of its own.
/// </summary>
public sealed class ModuleWireSemanticsTests : IAsyncLifetime
{
    private const string Token = "test-token-module-wire";
    private static readonly TimeSpan Wait = TestPatience.Ceiling;
    private NodeHost? _node;
    private SkeinClient? _client;
    private readonly TempDirectory _dir = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Per-connection: each object counts its own calls. Stuck ignores cancels and deadlines until Unstick is called.
    private const string Tally = """
        import sys, threading
        sys.path.insert(0, SDK)
        from skein_module import Module, method, service

        CLOSED = [0]
        UNSTUCK = threading.Event()

        @service("tally")
        class Tally:
            def __init__(self):
                self.calls = 0

            @method
            def count(self) -> int:
                self.calls += 1
                return self.calls

            @method
            def closed(self) -> int:
                return CLOSED[0]

            @method
            def stuck(self) -> str:
                UNSTUCK.wait()
                return "unstuck"

            @method
            def unstick(self) -> None:
                UNSTUCK.set()

            def close(self):
                CLOSED[0] += 1

        if __name__ == "__main__":
            Module(Tally).run()
        """;

    public async ValueTask InitializeAsync()
    {
        if (ModuleProcess.FindPython() is null) return;
        var sdk = System.Text.Json.JsonSerializer.Serialize(Path.Combine(ModuleProcess.RepositoryRoot(), "sdk", "python"));
        var script = Path.Combine(_dir.Path, "tally.py");
        await File.WriteAllTextAsync(script, Tally.Replace("SDK", sdk, StringComparison.Ordinal), Ct);
        var services = new ServiceHost("node-py");
        await services.AddModuleAsync(new Skein.Modules.ModuleLoadRequest(script), Ct);
        _node = await NodeHost.StartAsync(services, Token, cancellationToken: Ct);
        var routes = new StaticRoutes(services.Describe().Select(s => new ServiceLocation("n-1", "node-py", Address, s)));
        _client = new SkeinClient(routes, Token, new SkeinClientOptions(), null);
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await foreach (var _ in _client.CallJsonAsync("tally", "Unstick", "[]"u8.ToArray(), Wait, CancellationToken.None)) { }
            await _client.DisposeAsync();
        }
        if (_node is not null) await _node.DisposeAsync();
        _dir.Dispose();
    }

    private string Address => $"127.0.0.1:{_node!.Address.Port}";

    private SkeinClient Client
    {
        get
        {
            Assert.SkipWhen(_client is null, "python3 is not on the PATH");
            return _client!;
        }
    }

    private async Task<string> CallAsync(string method)
    {
        var results = new List<string>();
        await foreach (var value in Client.CallJsonAsync("tally", method, "[]"u8.ToArray(), Ct)) results.Add(Encoding.UTF8.GetString(value.Span));
        return Assert.Single(results);
    }

    [Fact]
    public async Task A_per_connection_call_without_a_reservation_gets_an_object_of_its_own_released_after_the_call()
    {
        Assert.Equal("1", await CallAsync("Count"));
        Assert.Equal("1", await CallAsync("Count")); // not the first call's object

        // Each of those objects was released (closed) when its call ended.
        var until = DateTime.UtcNow + Wait;
        while (int.Parse(await CallAsync("Closed"), System.Globalization.CultureInfo.InvariantCulture) < 2)
        {
            Assert.True(DateTime.UtcNow < until, "the calls' objects were not released");
            await Task.Delay(10, Ct);
        }

        // A proxy reserves one object, which keeps its count across calls.
        var tally = await Client.GetServiceAsync<ITally>(Ct);
        Assert.Equal(1, await tally.CountAsync());
        Assert.Equal(2, await tally.CountAsync());
    }

    [Fact]
    public async Task A_call_the_module_does_not_finish_is_answered_DeadlineExceeded_by_the_node()
    {
        _ = Client;
        await using var wire = RawCallStream.Open(Address, Token);
        var request = RawCallStream.Request(1, "tally", "Stuck", "[]");
        request.TimeoutMs = 300;

        await wire.SendAsync(request);

        var answer = await wire.NextAsync(1);
        Assert.Equal(Protocol.RemoteErrorKind.DeadlineExceeded, answer.Error.Kind);
        Assert.Contains("tally.Stuck did not finish within its deadline of 300 ms on node node-py", answer.Error.Message, StringComparison.Ordinal);
        Assert.Equal(request.Id, answer.Id);
    }

    [Fact]
    public async Task A_cancelled_module_call_is_answered_Cancelled_by_the_node()
    {
        _ = Client;
        await using var wire = RawCallStream.Open(Address, Token);
        var request = RawCallStream.Request(1, "tally", "Stuck", "[]");
        await wire.SendAsync(request);

        await wire.SendAsync(new Envelope { Kind = EnvelopeKind.Cancel, ConversationId = 1 });

        var answer = await wire.NextAsync(1);
        Assert.Equal(Protocol.RemoteErrorKind.Cancelled, answer.Error.Kind);
        Assert.Equal(request.Id, answer.Id);
    }

    [Fact]
    public async Task An_empty_content_type_is_JSON_and_an_unknown_one_is_refused_naming_it()
    {
        _ = Client;
        await using var wire = RawCallStream.Open(Address, Token);

        await wire.SendAsync(RawCallStream.Request(1, "tally", "Count", "[]", contentType: ""),
            RawCallStream.Request(2, "tally", "Count", "[]", contentType: "text/plain"));

        var json = await wire.NextAsync(1);
        Assert.Equal(EnvelopeStatus.Ok, json.Status);
        Assert.Equal("1", RawCallStream.Text(json));
        Assert.Equal(1001UL, json.Id);
        var refused = await wire.NextAsync(2);
        Assert.Equal(Protocol.RemoteErrorKind.BadArguments, refused.Error.Kind);
        Assert.Contains("content type 'text/plain'", refused.Error.Message, StringComparison.Ordinal);
    }
}
