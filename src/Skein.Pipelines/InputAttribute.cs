namespace Skein.Pipelines;

/// <summary>
/// Marks a property of an <see cref="Element"/> as an input port: its name (the property's, in kebab-case, unless
/// given) and its type are what the checker matches an output against. The runner sets it before the element runs.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = true)]
public sealed class InputAttribute(string? name = null) : Attribute
{
    /// <summary>The port's name, or null for the property's name in kebab-case.</summary>
    public string? Name { get; } = name;

    /// <summary>True when the element runs without a source for this input (it keeps its default).</summary>
    public bool Optional { get; init; }
}

/// <summary>
/// Marks a property of an <see cref="Element"/> as an output port: the element sets it while it runs, and the runner
/// hands its value to every input wired to it.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = true)]
public sealed class OutputAttribute(string? name = null) : Attribute
{
    /// <summary>The port's name, or null for the property's name in kebab-case.</summary>
    public string? Name { get; } = name;
}

/// <summary>
/// Marks a public static method (no parameters) or property that returns a <see cref="Pipeline"/>: what
/// <c>skein pipeline</c> finds in an assembly, and what a node calls to build the same pipeline where an element runs.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Property, Inherited = false)]
public sealed class PipelineAttribute : Attribute;
