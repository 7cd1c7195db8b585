using Skein.Engine;

namespace Skein.Pipelines;

/// <summary>How a pipeline's run ended: the engine's summary, and each element's outcome and outputs.</summary>
public sealed class PipelineRunResult
{
    private readonly Dictionary<string, ElementResult> _byName;

    internal PipelineRunResult(Pipeline pipeline, RunSummary summary, IReadOnlyList<ElementResult> elements)
    {
        Pipeline = pipeline;
        Summary = summary;
        Elements = elements;
        _byName = elements.ToDictionary(e => e.Name, StringComparer.Ordinal);
    }

    public Pipeline Pipeline { get; }

    public RunSummary Summary { get; }

    /// <summary>True when every element passed (or warned).</summary>
    public bool Succeeded => Summary.Succeeded;

    /// <summary>Every element's result, in the pipeline's order.</summary>
    public IReadOnlyList<ElementResult> Elements { get; }

    /// <exception cref="KeyNotFoundException">No element of that name has a result.</exception>
    public ElementResult this[string element] =>
        _byName.TryGetValue(element, out var result) ? result : throw new KeyNotFoundException($"pipeline '{Pipeline.Name}' has no result for an element '{element}'");
}

/// <summary>One element's result: its task's, and the values of its outputs when it passed.</summary>
public sealed class ElementResult
{
    private IReadOnlyDictionary<string, object?>? _outputs;

    internal ElementResult(Element element, TaskResult result)
    {
        Element = element;
        Result = result;
    }

    public Element Element { get; }

    public string Name => Element.Name;

    /// <summary>The element's task result: outcome, reason, attempts, log, sub-results.</summary>
    public TaskResult Result { get; }

    public Outcome Outcome => Result.Outcome;

    /// <summary>
    /// The element's outputs by port name (lists of values for an element with invocations); empty when it did not
    /// pass. For an element --resume reused, the values kept with its earlier run (those too large to keep are missing).
    /// </summary>
    public IReadOnlyDictionary<string, object?> Outputs => _outputs ??= Read();

    /// <summary>One output, as a <typeparamref name="T"/>.</summary>
    /// <exception cref="KeyNotFoundException">The element has no such output value.</exception>
    /// <exception cref="InvalidCastException">The value is not a <typeparamref name="T"/>.</exception>
    public T Output<T>(string port)
    {
        if (!Outputs.TryGetValue(port, out var value)) throw new KeyNotFoundException($"element '{Name}' has no value for an output '{port}' ({Outcome.ToWireName()})");
        if (value is T typed) return typed;
        if (value is null && default(T) is null) return default!;
        throw new InvalidCastException($"output {Name}.{port} is {(value is null ? "null" : $"a {TypeNames.Display(value.GetType())}")}, not a {TypeNames.Display(typeof(T))}");
    }

    public override string ToString() => Result.ToString();

    private IReadOnlyDictionary<string, object?> Read()
    {
        if (!Result.Outcome.IsSuccess()) return new Dictionary<string, object?>();
        if (Result.Value is IReadOnlyDictionary<string, object?> values) return values;
        var kept = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var output in Element.Ports.Outputs)
        {
            if (KeptOutputs.TryRead(Element, output, Result.Outputs, out var value, out _)) kept[output.Name] = value;
        }
        return kept;
    }
}
