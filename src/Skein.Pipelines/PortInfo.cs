using System.Reflection;

namespace Skein.Pipelines;

/// <summary>One declared port of an element type: its name, direction and type, read once per type.</summary>
public sealed class PortInfo
{
    internal PortInfo(string name, PortDirection direction, PropertyInfo property, bool optional, bool nullable, PortType portType)
    {
        PortType = portType;
        Name = name;
        Direction = direction;
        Property = property;
        Optional = optional;
        IsNullable = nullable;
    }

    public string Name { get; }

    public PortDirection Direction { get; }

    /// <summary>The declared type (for an output of an element with invocations, each invocation's value).</summary>
    public Type Type => Property.PropertyType;

    /// <summary>True when the declared type admits null (a nullable value type, or a reference type annotated <c>?</c>).</summary>
    public bool IsNullable { get; }

    /// <summary>True for an input that may have no source.</summary>
    public bool Optional { get; }

    public PropertyInfo Property { get; }

    /// <summary>The declared type with the nullability of its type arguments, as the checker compares it.</summary>
    internal PortType PortType { get; }

    public override string ToString() => $"{Name}: {TypeNames.Display(Type)}{(IsNullable && Type.IsValueType == false ? "?" : "")}";
}
