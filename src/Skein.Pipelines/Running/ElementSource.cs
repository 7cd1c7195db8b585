namespace Skein.Pipelines;

/// <summary>
/// Where one input of an element gets its value: an output of another element, with what that output hands on and
/// how the value fits the input (decided by the checker, applied to each value as it crosses the edge).
/// </summary>
internal sealed class ElementSource
{
    public ElementSource(Element from, PortInfo output, PortInfo input, PipelineCheck check)
    {
        From = from;
        Output = output;
        Input = input;
        OutputType = PipelineChecker.HandedOn(from, output);
        Fit = check.FitOf(OutputType, input.PortType);
    }

    public Element From { get; }

    public PortInfo Output { get; }

    public PortInfo Input { get; }

    /// <summary>The output's type as handed on (a list of values for an element with invocations).</summary>
    public PortType OutputType { get; }

    public PortFit Fit { get; }

    /// <summary>The value as the input takes it, or why it cannot: checked against both declared types at run time.</summary>
    public bool TryAccept(object? value, string to, out object? accepted, out string? problem)
    {
        accepted = null;
        problem = null;
        if (value is null)
        {
            if (Input.PortType.IsNullable) return true;
            problem = $"input {to}.{Input.Name} ({Input.PortType}) received null from {From.Name}.{Output.Name}, and it is not nullable ({From.Name}.{Output.Name} >> {to}.{Input.Name})";
            return false;
        }
        var outputType = OutputType.RuntimeType;
        if (!outputType.IsInstanceOfType(value))
        {
            problem = $"input {to}.{Input.Name} ({Input.PortType}) received a {TypeNames.Display(value.GetType())} from {From.Name}.{Output.Name}, which declares {OutputType} ({From.Name}.{Output.Name} >> {to}.{Input.Name})";
            return false;
        }
        if (!Fit.Fits)
        {
            problem = $"input {to}.{Input.Name} ({Input.PortType}) cannot take {From.Name}.{Output.Name} ({OutputType}): {Fit.Reason}";
            return false;
        }
        try
        {
            accepted = Fit.Convert is null ? value : Fit.Convert(value);
        }
        catch (Exception ex) when (ex is InvalidCastException or FormatException or OverflowException)
        {
            problem = $"input {to}.{Input.Name} ({Input.PortType}) cannot take the value of {From.Name}.{Output.Name} ({OutputType}): {ex.Message}";
            return false;
        }
        if (!Input.Property.PropertyType.IsInstanceOfType(accepted))
        {
            problem = $"input {to}.{Input.Name} ({Input.PortType}) received a {TypeNames.Display(accepted!.GetType())} from {From.Name}.{Output.Name} ({From.Name}.{Output.Name} >> {to}.{Input.Name})";
            return false;
        }
        return true;
    }
}
