namespace Skein.Cli.Tests.Wire;

/// <summary>
/// Clients in another language against a real coordinator and two nodes hosting the example services: a Python client
/// written from docs/protocol.md alone (Wire/protocol_client.py, with grpcio and the messages protoc makes from protos/).
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
}
