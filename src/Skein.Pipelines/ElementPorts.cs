using System.Reflection;
using System.Runtime.CompilerServices;

namespace Skein.Pipelines;

/// <summary>The ports an element type declares with <see cref="InputAttribute"/> and <see cref="OutputAttribute"/>, read once per type.</summary>
public sealed class ElementPorts
{
    private static readonly ConditionalWeakTable<Type, ElementPorts> Cache = new();

    private ElementPorts(IReadOnlyList<PortInfo> inputs, IReadOnlyList<PortInfo> outputs)
    {
        Inputs = inputs;
        Outputs = outputs;
    }

    public IReadOnlyList<PortInfo> Inputs { get; }

    public IReadOnlyList<PortInfo> Outputs { get; }

    public PortInfo? FindInput(string name) => Find(Inputs, name);

    public PortInfo? FindOutput(string name) => Find(Outputs, name);

    public static ElementPorts Of(Type elementType)
    {
        ArgumentNullException.ThrowIfNull(elementType);
        return Cache.GetValue(elementType, Read);
    }

    private static PortInfo? Find(IReadOnlyList<PortInfo> ports, string name)
    {
        foreach (var port in ports)
        {
            if (string.Equals(port.Name, name, StringComparison.Ordinal)) return port;
        }
        return null;
    }

    private static ElementPorts Read(Type type)
    {
        var nullability = new NullabilityInfoContext();
        var inputs = new List<PortInfo>();
        var outputs = new List<PortInfo>();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var input = property.GetCustomAttribute<InputAttribute>();
            var output = property.GetCustomAttribute<OutputAttribute>();
            if (input is null && output is null) continue;
            var nullable = Nullable.GetUnderlyingType(property.PropertyType) is not null
                || (!property.PropertyType.IsValueType && nullability.Create(property).ReadState != NullabilityState.NotNull);
            var portType = PortType.Of(property, nullability) with { IsNullable = nullable };
            if (input is not null) inputs.Add(new PortInfo(input.Name ?? KebabCase.Of(property.Name), PortDirection.Input, property, input.Optional, nullable, portType));
            if (output is not null) outputs.Add(new PortInfo(output.Name ?? KebabCase.Of(property.Name), PortDirection.Output, property, optional: false, nullable, portType));
        }
        return new ElementPorts(inputs, outputs);
    }
}
