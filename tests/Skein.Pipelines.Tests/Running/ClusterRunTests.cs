using Skein.Cluster.Execution;
using Skein.Engine;
using Skein.Testing;

namespace Skein.Pipelines.Tests.Running;

/// <summary>A pipeline run with the cluster's executor on a <see cref="TestCluster"/>: unchanged from a run in one process.</summary>
public sealed class ClusterRunTests : IDisposable
{
    private readonly string _state = Path.Combine(Path.GetTempPath(), $"skein-pipelines-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_state)) Directory.Delete(_state, recursive: true);
    }

    [Fact]
    public async Task A_pipeline_runs_with_the_cluster_executor()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await TestCluster.StartAsync(1, cancellationToken: ct);
        await using var client = await cluster.ConnectClientAsync(cancellationToken: ct);
        await using var executor = new ClusterExecutor(client);
        var definition = PipelineDiscovery.Find(typeof(TestPipelines).Assembly).Single(d => d.Member == nameof(TestPipelines.Sums));

        var result = await PipelineRunner.RunAsync(definition.Build(), new PipelineRunOptions
        {
            Run = new RunOptions { Executor = executor, StateDirectory = _state },
            Definition = definition,
            Shipment = new AssemblyShipment(typeof(TestPipelines).Assembly.Location),
        }, ct);

        Assert.True(result.Succeeded, string.Join("; ", result.Elements));
        Assert.Equal("total: 20 over 4", result["report"].Output<string>("text"));
        Assert.Equal("total: 20 over 4", result["again"].Output<string>("text"));
    }
}
