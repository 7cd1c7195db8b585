using Skein.Cluster.Client;
using Skein.Cluster.Configuration;

namespace Skein.Cli.Tests.Wire;

/// <summary>
/// Clients in another language against a real coordinator and two nodes hosting the example services: a Python client
/// written from docs/protocol.md alone (Wire/protocol_client.py, with grpcio and the messages protoc makes from protos/),
/// and the Python client package of sdk/python (Wire/package_client.py, Wire/barrier_client.py).
/// </summary>
[Collection(ServiceClusterTests.Collection)]
public sealed class ForeignClientTests(ExampleCluster cluster) : IClassFixture<ExampleCluster>
{
    private static string Script(string name) => Path.Combine(RunCommandTests.RepositoryRoot(), "tests", "Skein.Cli.Tests", "Wire", name);

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_Python_client_written_from_the_protocol_page_calls_streams_cancels_and_subscribes()
    {
        await PythonGrpc.RequireAsync();
        using var generated = new TempDirectory();
        await PythonGrpc.GenerateAsync(generated.Path);

        var result = await PythonGrpc.RunPythonAsync(cluster.Directory.Path, null, Script("protocol_client.py"), "--protos", generated.Path);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("ok: a CANCEL is answered CANCELLED (section 6)", result.Stdout);
        Assert.Contains("ok: the ack's last_sequence is the sequence the subscriber sees", result.Stdout);
        Assert.EndsWith("all checks passed", result.Stdout.Trim());
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task The_Python_client_package_calls_streams_reserves_and_subscribes()
    {
        await PythonGrpc.RequireAsync();
        var sdk = Path.Combine(RunCommandTests.RepositoryRoot(), "sdk", "python");

        var result = await PythonGrpc.RunPythonAsync(cluster.Directory.Path, null, Script("package_client.py"), sdk);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("ok: a deadline raises deadline_exceeded, answered by the node", result.Stdout);
        Assert.Contains("ok: subscribe() receives what publish() sent, with the sequence publish() returned", result.Stdout);
        Assert.Contains("all checks passed", result.Stdout);
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Two_Python_processes_and_a_dotnet_client_meet_at_a_barrier_and_see_each_others_contexts()
    {
        await PythonGrpc.RequireAsync();
        var sdk = Path.Combine(RunCommandTests.RepositoryRoot(), "sdk", "python");
        Task<ProcessResult> Participant(string name, params string[] more) => PythonGrpc.RunPythonAsync(cluster.Directory.Path,
            new Dictionary<string, string> { ["SKEIN_PARTICIPANT"] = name }, [Script("barrier_client.py"), sdk, "3", .. more]);
        var first = Participant("py-1", "--checks");
        var second = Participant("py-2");
        await using var client = await SkeinClient.ConnectAsync(cluster.Address, cluster.Token, new SkeinClientOptions { Participant = "dotnet" },
            TestContext.Current.CancellationToken);

        IReadOnlyDictionary<string, string> contexts;
        BarrierResult done;
        try
        {
            contexts = await client.ExchangeAsync("mixed", 3, "context of dotnet", TestPatience.Ceiling, TestContext.Current.CancellationToken);
            done = await client.BarrierAsync("mixed", 3, TestPatience.Ceiling, TestContext.Current.CancellationToken);
        }
        catch (BarrierTimeoutException ex)
        {
            // The Python participants time out too (with the same patience), so their output says why they did not come.
            throw new Xunit.Sdk.XunitException($"{ex.Message}\n{await first}\n{await second}");
        }

        var all = new Dictionary<string, string> { ["dotnet"] = "context of dotnet", ["py-1"] = "context of py-1", ["py-2"] = "context of py-2" };
        Assert.Equal(all, contexts.OrderBy(c => c.Key, StringComparer.Ordinal).ToDictionary());
        Assert.Equal(["dotnet", "py-1", "py-2"], done.Participants.Order(StringComparer.Ordinal));
        foreach (var python in new[] { await first, await second })
        {
            Assert.True(python.ExitCode == 0, python.ToString());
            var line = python.Stdout.Split('\n').Single(l => l.StartsWith("contexts: ", StringComparison.Ordinal));
            Assert.Equal(all, System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(line["contexts: ".Length..]));
        }
        Assert.Contains("ok: a timeout names who arrived and the declared participant missing", (await first).Stdout);
        Assert.Contains("ok: a count of 0 is refused by the coordinator, naming the barrier", (await first).Stdout);
    }
}
