using System.Globalization;
using Skein.Engine;

namespace Skein.Pipelines;

/// <summary>
/// The action of an element's task. In this process (<see cref="ExecuteAsync"/>) it gathers the element's inputs from
/// the values its sources' tasks returned, checks each against the declared types, and runs the element
/// (<see cref="ElementExecution"/>); its value is the element's outputs by port name. Shipped to a node, the same
/// inputs travel in the request (<see cref="EncodeRequestAsync"/>) and <see cref="ElementEntry"/> runs the element there.
/// </summary>
public sealed class PipelineElementAction : ShippedAction
{
    private readonly Pipeline _pipeline;
    private readonly IReadOnlyList<ElementSource> _sources;
    private readonly PipelineDefinition? _definition;
    private readonly string _scratchDirectory;
    private readonly bool _keepOutputs;

    internal PipelineElementAction(Pipeline pipeline, Element element, IReadOnlyList<ElementSource> sources, AssemblyShipment shipment,
        PipelineDefinition? definition, string scratchDirectory, bool keepOutputs)
        : base(shipment, EntryAssemblyName, EntryTypeName)
    {
        _pipeline = pipeline;
        Element = element;
        _sources = sources;
        _definition = definition;
        _scratchDirectory = scratchDirectory;
        _keepOutputs = keepOutputs;
        Fingerprint = MakeFingerprint(element, definition);
    }

    private static readonly string EntryAssemblyName = typeof(ElementEntry).Assembly.GetName().Name!;
    private static readonly string EntryTypeName = typeof(ElementEntry).FullName!;
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<System.Reflection.Module, string> Builds = new();

    /// <summary>The element the task runs.</summary>
    public Element Element { get; }

    /// <summary>The element's type and the code it comes from (its assembly's and the pipeline's build), invocations and hooks:
    /// a rebuilt pipeline assembly runs its elements again under --resume.</summary>
    public override string Fingerprint { get; }

    public override async ValueTask<ActionResult> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!TryGatherInputs(context, out var inputs, out var problem)) return ActionResult.Failed(problem);
        var where = new ElementSurroundings(_pipeline.Name, AttemptDirectory(context), () => context.Log, context,
            new ShippedAttemptIdentity(context.RunId, context.TaskId, context.Attempt, null), null);
        var outputs = await ElementExecution.RunAsync(Element, inputs, where, cancellationToken).ConfigureAwait(false);
        return Passed(outputs, context);
    }

    public override ValueTask<ReadOnlyMemory<byte>> EncodeRequestAsync(TaskContext context, CancellationToken cancellationToken)
    {
        if (_definition is null)
        {
            throw new InvalidOperationException(
                $"element '{Element.Name}' cannot run on a node: pipeline '{_pipeline.Name}' was not found through a [Pipeline] member, so a node cannot build it (run it with PipelineRunOptions.Definition)");
        }
        ArgumentNullException.ThrowIfNull(context);
        if (!TryGatherInputs(context, out var inputs, out var problem)) throw new InvalidOperationException(problem);
        var request = ElementWire.EncodeRequest(_definition.DeclaringType, _definition.Member, Element.Name,
            _sources.Select(s => (s.Input.Name, s.Input.PortType.RuntimeType, inputs[s.Input.Name])));
        return new ValueTask<ReadOnlyMemory<byte>>(request);
    }

    public override ActionResult DecodeReply(TaskContext context, ReadOnlyMemory<byte> reply)
    {
        ArgumentNullException.ThrowIfNull(context);
        var values = ElementWire.DecodeValues(reply);
        var outputs = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var output in Element.Ports.Outputs)
        {
            if (!values.TryGetValue(output.Name, out var bytes))
                return ActionResult.Failed($"element '{Element.Name}' answered without its output '{output.Name}'");
            var type = PipelineChecker.HandedOn(Element, output);
            try
            {
                outputs[output.Name] = ElementWire.Decode(type.RuntimeType, bytes);
            }
            catch (InvalidDataException ex)
            {
                return ActionResult.Failed($"output {Element.Name}.{output.Name} ({type}) did not come back as one: {ex.Message}");
            }
        }
        return Passed(outputs, context);
    }

    /// <summary>Where this attempt's directories go: under the run's state directory, one per run, element and attempt.</summary>
    private string AttemptDirectory(TaskContext context) =>
        Path.Combine(_scratchDirectory, Safe(_pipeline.Name), context.RunId.ToString(CultureInfo.InvariantCulture),
            $"{Safe(Element.Name)}.{context.Attempt.ToString(CultureInfo.InvariantCulture)}");

    private ActionResult Passed(Dictionary<string, object?> outputs, TaskContext context) =>
        _keepOutputs ? ActionResult.Passed(outputs) with { Outputs = KeptOutputs.Keep(Element, outputs, () => context.Log) } : ActionResult.Passed(outputs);

    /// <summary>The element's inputs from its sources' values (kept outputs for a source --resume reused), each checked as it crosses its edge.</summary>
    private bool TryGatherInputs(TaskContext context, out Dictionary<string, object?> inputs, out string problem)
    {
        inputs = new Dictionary<string, object?>(_sources.Count, StringComparer.Ordinal);
        problem = "";
        // Sources come grouped by the element they come from (in the order of its outputs): one look-up per element.
        Element? from = null;
        IReadOnlyDictionary<string, object?>? values = null;
        foreach (var source in _sources)
        {
            if (!ReferenceEquals(source.From, from))
            {
                from = source.From;
                values = ValuesOf(context, from);
            }
            object? value;
            if (values is not null)
            {
                if (!values.TryGetValue(source.Output.Name, out value))
                {
                    problem = $"input {Element.Name}.{source.Input.Name}: {source.From.Name} handed on no value for its output '{source.Output.Name}'";
                    return false;
                }
            }
            else if (!KeptOutputs.TryRead(source.From, source.Output, context.GetOutputs(source.From.Name), out value, out var notKept))
            {
                problem = $"input {Element.Name}.{source.Input.Name}: {notKept}";
                return false;
            }
            if (!source.TryAccept(value, Element.Name, out var accepted, out var refused))
            {
                problem = refused!;
                return false;
            }
            inputs[source.Input.Name] = accepted;
        }
        return true;
    }

    /// <summary>The outputs a source's task returned, or null when its task was reused by --resume (its value is gone; its kept outputs remain).</summary>
    private static IReadOnlyDictionary<string, object?>? ValuesOf(TaskContext context, Element source)
    {
        object? value;
        try
        {
            value = context.GetResult<object?>(source.Name);
        }
        catch (InvalidOperationException) when (IsReused(context, source.Name))
        {
            return null;
        }
        return value as IReadOnlyDictionary<string, object?>
            ?? throw new InvalidOperationException($"task '{source.Name}' returned {(value is null ? "null" : $"a {value.GetType().Name}")}, not the outputs of an element");
    }

    // A reused task has passed and its outputs are readable, but its value is not: that is the one case left when the
    // value cannot be read while the outputs can.
    private static bool IsReused(TaskContext context, string taskId)
    {
        try
        {
            context.GetOutputs(taskId);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static string MakeFingerprint(Element element, PipelineDefinition? definition)
    {
        var type = element.GetType();
        var hooks = string.Join(",", element.Hooks.Select(h => h.Name));
        var pipelineBuild = definition is null ? "" : BuildOf(definition.Assembly.ManifestModule);
        return $"pipeline-element {type.FullName}@{BuildOf(type.Module)} pipeline@{pipelineBuild} invocations={element.InvocationCount?.ToString(CultureInfo.InvariantCulture) ?? "-"} hooks={hooks}";
    }

    private static string BuildOf(System.Reflection.Module module) => Builds.GetValue(module, static m => m.ModuleVersionId.ToString("N"));

    private static readonly System.Buffers.SearchValues<char> Unsafe = System.Buffers.SearchValues.Create([.. Path.GetInvalidFileNameChars(), '.']);

    private static string Safe(string name)
    {
        if (name.AsSpan().IndexOfAny(Unsafe) < 0) return name;
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (Unsafe.Contains(chars[i])) chars[i] = '_';
        }
        return new string(chars);
    }
}
