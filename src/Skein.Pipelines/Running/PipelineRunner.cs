using Skein.Engine;

namespace Skein.Pipelines;

/// <summary>Runs a pipeline: checks it, compiles it to a job, runs the job with the engine, and hands back every element's outcome and outputs.</summary>
public static class PipelineRunner
{
    /// <summary>
    /// Checks the pipeline (nothing runs when it has problems), then runs it with <see cref="PipelineRunOptions.Run"/>:
    /// in this process by default, on a cluster with its executor. Timeouts, retries, claims, the journal and --resume
    /// apply as for any job; an element whose node is lost fails or retries like any task, so the run always ends.
    /// </summary>
    /// <exception cref="PipelineCheckException">The pipeline has problems; every one is named and nothing ran.</exception>
    /// <exception cref="JobValidationException">The executor refused the job before it ran (no node could take an element).</exception>
    public static async Task<PipelineRunResult> RunAsync(Pipeline pipeline, PipelineRunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        options ??= new PipelineRunOptions();
        var check = PipelineChecker.Check(pipeline);
        if (!check.IsValid) throw new PipelineCheckException(check);
        var job = PipelineCompiler.Compile(check, options);

        var results = new Dictionary<string, TaskResult>(StringComparer.Ordinal);
        await using var run = await JobRun.StartAsync(job, options.Run, cancellationToken).ConfigureAwait(false);
        await foreach (var e in run.ReadEventsAsync(CancellationToken.None).ConfigureAwait(false))
        {
            options.OnEvent?.Invoke(e);
            if (e is TaskFinished finished) results[finished.Result.TaskId] = finished.Result;
        }
        var summary = await run.Completion.ConfigureAwait(false);
        var elements = new List<ElementResult>(check.Order.Count);
        foreach (var element in pipeline.Elements)
        {
            if (results.TryGetValue(element.Name, out var result)) elements.Add(new ElementResult(element, result));
        }
        return new PipelineRunResult(pipeline, summary, elements);
    }
}
