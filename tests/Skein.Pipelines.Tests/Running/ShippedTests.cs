using System.Reflection;
using Skein.Engine;

namespace Skein.Pipelines.Tests.Running;

/// <summary>
/// The shipped path in one process: each element's request is encoded on the run's side, handed to a new
/// <see cref="ElementEntry"/> over this test assembly (as a node does over the shipped one), and its reply decoded —
/// the contract a cluster executor follows. The entry builds its own pipeline: the run's elements never run.
/// </summary>
public sealed class ShippedTests : IDisposable
{
    private readonly string _state = Path.Combine(Path.GetTempPath(), $"skein-pipelines-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_state)) Directory.Delete(_state, recursive: true);
    }

    /// <summary>Runs a shipped action as a node would: request bytes in, reply bytes out, nothing else shared.</summary>
    private sealed class Loopback(ShippedAction inner, string nodeDirectory) : ITaskAction
    {
        public string Fingerprint => inner.Fingerprint;

        public async ValueTask<ActionResult> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
        {
            var request = await inner.EncodeRequestAsync(context, cancellationToken);
            var entryAssembly = AppDomain.CurrentDomain.GetAssemblies().Single(a => a.GetName().Name == inner.EntryAssembly);
            var entry = (IShippedEntry)Activator.CreateInstance(entryAssembly.GetType(inner.EntryType, throwOnError: true)!)!;
            var directory = Path.Combine(nodeDirectory, $"{context.TaskId}.{context.Attempt}");
            Directory.CreateDirectory(directory);
            var shipped = new ShippedContext(Assembly.LoadFrom(inner.Shipment.AssemblyPath), directory, context.Log, context,
                new ShippedAttemptIdentity(context.RunId, context.TaskId, context.Attempt, "loopback"));
            var reply = await entry.RunAsync(shipped, request.ToArray(), cancellationToken);
            return inner.DecodeReply(context, reply.ToArray());
        }
    }

    private async Task<Dictionary<string, TaskResult>> RunShippedAsync(PipelineDefinition definition, Pipeline pipeline)
    {
        var options = new PipelineRunOptions { Run = new RunOptions { StateDirectory = _state }, Definition = definition };
        var compiled = PipelineCompiler.Compile(pipeline, options);
        var job = new Job(compiled.Name);
        foreach (var task in compiled.Tasks)
        {
            job.Add(new TaskSpec { Id = task.Id, Needs = task.Needs, Action = new Loopback((ShippedAction)task.Action, Path.Combine(_state, "node")) });
        }
        var results = new Dictionary<string, TaskResult>();
        await foreach (var r in JobRunner.RunAsync(job, options.Run, TestContext.Current.CancellationToken)) results[r.TaskId] = r;
        return results;
    }

    [Fact]
    public async Task Inputs_and_outputs_cross_as_bytes_and_the_entry_runs_its_own_copy_of_the_element()
    {
        var definition = PipelineDiscovery.Find(typeof(TestPipelines).Assembly).Single(d => d.Member == nameof(TestPipelines.Sums));
        var pipeline = definition.Build();

        var results = await RunShippedAsync(definition, pipeline);

        Assert.All(results.Values, r => Assert.True(r.Outcome == Outcome.Passed, r.ToString()));
        var report = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(results["report"].Value);
        Assert.Equal("total: 20 over 4", report["text"]);
        Assert.Equal(new[] { 2.0, 4, 6, 8 }, (double[])((IReadOnlyDictionary<string, object?>)results["scale"].Value!)["samples"]!);
        // The run's own element objects never ran: the entry built the pipeline again.
        Assert.Equal("", ((Report)pipeline.Find("report")!).Text);
    }

    [Fact]
    public void A_request_names_the_pipeline_member_and_the_element_and_carries_the_inputs_by_their_declared_types()
    {
        var request = ElementWire.EncodeRequest("Some.Type", "Member", "scale", [("samples", typeof(IReadOnlyList<double>), new double[] { 1, 2 })]);

        var decoded = ElementWire.DecodeRequest(request);

        Assert.Equal(("Some.Type", "Member", "scale"), (decoded.PipelineType, decoded.PipelineMember, decoded.Element));
        Assert.Equal(new[] { 1.0, 2.0 }, (IEnumerable<double>)ElementWire.Decode(typeof(IReadOnlyList<double>), decoded.Values["samples"])!);
        Assert.Throws<InvalidDataException>(() => ElementWire.DecodeRequest(new byte[] { 0x93, 0x01 }));
    }

    [Fact]
    public void Without_a_definition_an_element_cannot_be_shipped_and_says_why()
    {
        var job = PipelineCompiler.Compile(new Pipeline("unshippable", new Numbers()));
        var action = (ShippedAction)job.Tasks[0].Action;

        var refused = Assert.Throws<InvalidOperationException>(() => action.EncodeRequestAsync(null!, CancellationToken.None));
        Assert.Contains("not found through a [Pipeline] member", refused.Message);
    }
}
