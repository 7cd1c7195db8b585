namespace Skein.Engine;

/// <summary>What one attempt of an action produced.</summary>
/// <remarks>
/// <see cref="Outputs"/> is how an attempt's outputs reach the run, wherever it ran: a command's <c>::output</c> lines
/// end up here, and an executor that runs the attempt elsewhere returns the outputs it received here.
/// </remarks>
public readonly record struct ActionResult(Outcome Outcome, string? Message = null, object? Value = null, int? ExitCode = null)
{
    private readonly IReadOnlyDictionary<string, string>? _outputs;

    /// <summary>The outputs the attempt set, by name; dependents read them as <c>{{tasks.ID.outputs.NAME}}</c>. Bounded by <see cref="TaskOutputs"/>.</summary>
    public IReadOnlyDictionary<string, string> Outputs
    {
        get => _outputs ?? TaskOutputs.None;
        init => _outputs = value;
    }

    private readonly IReadOnlyList<ArtifactFile>? _artifacts;

    /// <summary>
    /// The files the attempt handed on (its task's <c>artifacts:</c>), already stored with the run: an executor that
    /// runs the attempt elsewhere returns what it collected there. Kept only when the attempt succeeds.
    /// </summary>
    public IReadOnlyList<ArtifactFile> Artifacts
    {
        get => _artifacts ?? [];
        init => _artifacts = value;
    }

    public static ActionResult Passed(object? value = null) => new(Outcome.Passed, null, value);
    public static ActionResult Failed(string message, int? exitCode = null) => new(Outcome.Failed, message, null, exitCode);
    public static ActionResult Errored(string message) => new(Outcome.Errored, message);
}
