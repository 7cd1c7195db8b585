using Skein.Cluster.Client;
using Skein.Cluster.Execution;
using Skein.Engine;
using Skein.Engine.JobFiles;
using Skein.Testing;

namespace Skein.Cluster.Tests.Execution;

/// <summary>
/// Artifacts through <see cref="ClusterExecutor"/> on a TestCluster of two nodes: among equally loaded nodes the one
/// that holds an attempt's inputs is chosen, and a node fetches the same content once however many attempts receive it.
/// </summary>
public sealed class ClusterArtifactTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TestPatience.Ceiling;
    private TestCluster _cluster = null!;
    private SkeinClient _client = null!;
    private ClusterExecutor _executor = null!;
    private readonly TempDirectory _dir = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _cluster = await new TestClusterBuilder().WithNodes(2).ConfigureNode((_, options) => options.Slots = 2).StartAsync(Ct);
        _client = await _cluster.ConnectClientAsync(cancellationToken: Ct);
        _executor = new ClusterExecutor(_client);
    }

    public async ValueTask DisposeAsync()
    {
        await _executor.DisposeAsync();
        await _client.DisposeAsync();
        await _cluster.DisposeAsync();
        _dir.Dispose();
    }

    private RunOptions Options() => new() { Executor = _executor, Workers = 1, StateDirectory = Path.Combine(_dir.Path, ".skein") };

    private Job Load(string yaml)
    {
        var result = JobFileLoader.Parse(yaml, "job.yaml", _dir.Path);
        Assert.True(result.Problems.Count == 0, string.Join("\n", result.Problems));
        return result.Job!;
    }

    private static async Task<Dictionary<string, TaskResult>> RunAsync(Job job, RunOptions options)
    {
        var results = new Dictionary<string, TaskResult>(StringComparer.Ordinal);
        await foreach (var result in JobRunner.RunAsync(job, options, Ct).WithCancellation(Ct)) results[result.TaskId] = result;
        return results;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Among_equally_loaded_nodes_the_one_holding_the_inputs_runs_the_dependent(int producer)
    {
        var holder = _cluster.Nodes[producer].Name;
        foreach (var d in (string[])["p", "c-1", "c-2", "c-3"]) Directory.CreateDirectory(Path.Combine(_dir.Path, d));
        var job = Load($$"""
            name: prefer-{{producer}}
            tasks:
              make:
                on: { node: {{holder}} }
                workdir: p
                run: head -c 100000 /dev/urandom > data.bin
                artifacts: [data.bin]
              "use-{{"{{"}}matrix.i{{"}}"}}":
                matrix: { i: [1, 2, 3] }
                needs: [make]
                workdir: "c-{{"{{"}}matrix.i{{"}}"}}"
                run: test -s data.bin && echo "::output node=$SKEIN_NODE"
            """);

        var results = await RunAsync(job, Options()).WaitAsync(Patience, Ct);

        foreach (var i in (int[])[1, 2, 3])
        {
            var use = results[$"use-{i}"];
            Assert.True(use.Outcome == Outcome.Passed, use.ToString());
            Assert.Equal(holder, use.Outputs["node"]);
        }
    }

    [Fact]
    public async Task A_node_fetches_the_same_content_once_for_every_attempt_that_receives_it()
    {
        var first = _cluster.Nodes[0];
        var second = _cluster.Nodes[1];
        foreach (var d in (string[])["p", "c-1", "c-2", "c-3"]) Directory.CreateDirectory(Path.Combine(_dir.Path, d));
        var job = Load($$"""
            name: cached
            tasks:
              make:
                on: { node: {{first.Name}} }
                workdir: p
                run: head -c 3000000 /dev/urandom > data.bin && sha256sum data.bin | cut -d' ' -f1 > ../made.sha
                artifacts: [data.bin]
              "use-{{"{{"}}matrix.i{{"}}"}}":
                matrix: { i: [1, 2, 3] }
                needs: [make]
                on: { node: {{second.Name}} }
                workdir: "c-{{"{{"}}matrix.i{{"}}"}}"
                run: sha256sum data.bin | cut -d' ' -f1 > got.sha
            """);
        var before = second.Artifacts!.Fetched;

        var results = await RunAsync(job, Options()).WaitAsync(Patience, Ct);

        Assert.All(results.Values, r => Assert.True(r.Outcome == Outcome.Passed, r.ToString()));
        Assert.Equal(1, second.Artifacts.Fetched - before);
        var made = File.ReadAllText(Path.Combine(_dir.Path, "made.sha"));
        foreach (var i in (int[])[1, 2, 3]) Assert.Equal(made, File.ReadAllText(Path.Combine(_dir.Path, $"c-{i}", "got.sha")));
    }

    [Fact]
    public async Task In_the_shared_job_directory_a_dependent_on_the_other_node_finds_the_file_in_place_and_nothing_is_fetched_or_copied()
    {
        var first = _cluster.Nodes[0];
        var second = _cluster.Nodes[1];
        var job = Load($$"""
            name: shared
            tasks:
              make:
                on: { node: {{first.Name}} }
                run: printf 'payload' > out.bin && stat -c %i out.bin > inode.before
                artifacts: [out.bin]
              use:
                needs: [make]
                on: { node: {{second.Name}} }
                run: stat -c %i out.bin > inode.after
            """);
        var before = second.Artifacts!.Fetched;

        var results = await RunAsync(job, Options()).WaitAsync(Patience, Ct);

        Assert.All(results.Values, r => Assert.True(r.Outcome == Outcome.Passed, r.ToString()));
        Assert.Equal(0, second.Artifacts.Fetched - before);
        Assert.Equal(File.ReadAllText(Path.Combine(_dir.Path, "inode.before")), File.ReadAllText(Path.Combine(_dir.Path, "inode.after")));
    }
}
