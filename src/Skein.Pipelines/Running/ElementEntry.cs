using System.ComponentModel;
using Skein.Engine;

namespace Skein.Pipelines;

/// <summary>
/// Runs one element where its task is placed: builds the pipeline again from the shipped assembly (by the declaring
/// type and member of its [Pipeline] member), finds the element by name, takes its inputs from the request (checked
/// against the declared input types), runs it as <see cref="PipelineElementAction.ExecuteAsync"/> does here, and
/// answers its outputs. Made by the node, one per attempt.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ElementEntry : IShippedEntry
{
    public async ValueTask<ReadOnlyMemory<byte>> RunAsync(ShippedContext context, ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var asked = ElementWire.DecodeRequest(request);
        var pipeline = PipelineDiscovery.Find(context.Assembly, asked.PipelineType, asked.PipelineMember).Build();
        var element = pipeline.Find(asked.Element)
            ?? throw new InvalidOperationException($"pipeline '{pipeline.Name}' ({asked.PipelineType}.{asked.PipelineMember}) has no element '{asked.Element}' here: is the shipped assembly the one the run built?");

        var inputs = new Dictionary<string, object?>(asked.Values.Count, StringComparer.Ordinal);
        foreach (var (name, bytes) in asked.Values)
        {
            var input = element.Ports.FindInput(name)
                ?? throw new InvalidOperationException($"element '{element.Name}' has no input '{name}' here: is the shipped assembly the one the run built?");
            object? value;
            try
            {
                value = ElementWire.Decode(input.PortType.RuntimeType, bytes);
            }
            catch (InvalidDataException ex)
            {
                throw new InvalidOperationException($"input {element.Name}.{input.Name} ({input.PortType}) did not arrive as one: {ex.Message}", ex);
            }
            if (value is null && !input.PortType.IsNullable)
                throw new InvalidOperationException($"input {element.Name}.{input.Name} ({input.PortType}) received null, and it is not nullable");
            inputs[name] = value;
        }

        var where = new ElementSurroundings(pipeline.Name, context.WorkingDirectory, () => context.Log, context.Reporter, context.Identity, context.Services);
        var outputs = await ElementExecution.RunAsync(element, inputs, where, cancellationToken).ConfigureAwait(false);
        return ElementWire.EncodeValues(element.Ports.Outputs.Select(o => (o.Name, PipelineChecker.HandedOn(element, o).RuntimeType, outputs[o.Name])));
    }
}
