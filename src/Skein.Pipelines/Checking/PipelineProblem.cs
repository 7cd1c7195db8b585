namespace Skein.Pipelines;

/// <summary>What is wrong with a pipeline, as <see cref="PipelineChecker"/> finds it.</summary>
public enum PipelineProblemKind
{
    /// <summary>An output's type does not fit the input it is wired to.</summary>
    TypeMismatch,

    /// <summary>A required input has no source.</summary>
    MissingInput,

    /// <summary>Two outputs are wired into one input.</summary>
    TwoSources,

    /// <summary>A wiring names a port the element does not have (or an output where an input is needed, or the other way).</summary>
    UnknownPort,

    /// <summary>A wiring between two elements where no output matches an input by name.</summary>
    NoMatchingPorts,

    /// <summary>Elements that depend on each other in a loop.</summary>
    Cycle,

    /// <summary>An element that no path from a start (an element with no required inputs) reaches.</summary>
    Unreachable,

    /// <summary>Two elements with the same name (names are task ids).</summary>
    DuplicateName,

    /// <summary>A pipeline without elements.</summary>
    Empty,
}

/// <summary>One problem of a pipeline: what, a message that names the elements and ports involved, and where.</summary>
/// <param name="From">The element a value comes from (or the element concerned, when only one is).</param>
/// <param name="FromPort">Its output, when one is concerned.</param>
/// <param name="To">The element a value goes to, when two are concerned.</param>
/// <param name="ToPort">Its input, when one is concerned.</param>
public sealed record PipelineProblem(PipelineProblemKind Kind, string Message, string? From = null, string? FromPort = null, string? To = null, string? ToPort = null)
{
    public override string ToString() => Message;
}

/// <summary>What <see cref="PipelineChecker.Check"/> found: every problem at once, and, for the runner, the resolved edges and an order.</summary>
public sealed class PipelineCheck
{
    private readonly Dictionary<(PortType, PortType), PortFit> _fits;

    internal PipelineCheck(Pipeline pipeline, IReadOnlyList<PipelineProblem> problems, IReadOnlyList<Edge> edges, IReadOnlyList<Element> order,
        Dictionary<(PortType, PortType), PortFit> fits)
    {
        _fits = fits;
        Pipeline = pipeline;
        Problems = problems;
        Edges = edges;
        Order = order;
    }

    public Pipeline Pipeline { get; }

    /// <summary>Every problem found, in a stable order: wirings as written, then inputs, names, cycles, reachability.</summary>
    public IReadOnlyList<PipelineProblem> Problems { get; }

    /// <summary>True when nothing is wrong: the pipeline can run.</summary>
    public bool IsValid => Problems.Count == 0;

    /// <summary>The connections the wirings resolve to (the valid ones, each once).</summary>
    public IReadOnlyList<Edge> Edges { get; }

    /// <summary>The elements so that each comes after every element it receives from (the elements ready first in the
    /// pipeline's order); elements on a cycle, and those after them, are left out.</summary>
    public IReadOnlyList<Element> Order { get; }

    /// <summary>How an output's values fit an input, as the check decided it (each pair of port types once).</summary>
    internal PortFit FitOf(PortType from, PortType to)
    {
        if (!_fits.TryGetValue((from, to), out var fit)) _fits[(from, to)] = fit = PortFit.Check(from, to);
        return fit;
    }

    public override string ToString() => IsValid ? $"{Pipeline.Name}: valid" : string.Join(Environment.NewLine, Problems);
}

/// <summary>A pipeline that <see cref="PipelineChecker"/> refused: nothing of it ran.</summary>
public sealed class PipelineCheckException : Exception
{
    public PipelineCheckException(PipelineCheck check)
        : base(Describe(check))
    {
        Check = check;
    }

    public PipelineCheck Check { get; }

    public IReadOnlyList<PipelineProblem> Problems => Check.Problems;

    private static string Describe(PipelineCheck check) =>
        $"pipeline '{check.Pipeline.Name}' has {check.Problems.Count} problem{(check.Problems.Count == 1 ? "" : "s")}:{Environment.NewLine}"
        + string.Join(Environment.NewLine, check.Problems.Select(p => "  " + p.Message));
}
