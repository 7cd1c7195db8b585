using System.Reflection;
using System.Text;

namespace Skein.Pipelines;

/// <summary>
/// A port's type with the nullability C# declared for it and for each type argument (<c>IReadOnlyList&lt;string?&gt;</c>
/// is not <c>IReadOnlyList&lt;string&gt;</c>): what the checker matches and what the runner checks values against.
/// </summary>
/// <param name="Type">The type without <see cref="Nullable{T}"/>: <c>int</c> for <c>int?</c>.</param>
/// <param name="IsNullable">True when null is a value of the port (a nullable value type, or a reference type annotated <c>?</c> or not annotated at all).</param>
/// <param name="Arguments">The element type of an array, or the type arguments of a generic type.</param>
internal sealed record PortType(Type Type, bool IsNullable, IReadOnlyList<PortType> Arguments)
{
    /// <summary>The type a value of the port has at run time: <c>int?</c> is <c>Nullable&lt;int&gt;</c>.</summary>
    public Type RuntimeType => IsNullable && Type.IsValueType ? typeof(Nullable<>).MakeGenericType(Type) : Type;

    public static PortType Of(PropertyInfo property, NullabilityInfoContext context) => Of(context.Create(property));

    public static PortType Of(NullabilityInfo info)
    {
        if (Nullable.GetUnderlyingType(info.Type) is { } underlying)
        {
            var inner = info.GenericTypeArguments.Length == 1 ? Of(info.GenericTypeArguments[0]) : Plain(underlying, false);
            return inner with { IsNullable = true };
        }
        var nullable = !info.Type.IsValueType && info.ReadState != NullabilityState.NotNull;
        if (info.Type.IsArray && info.ElementType is { } element) return new PortType(info.Type, nullable, [Of(element)]);
        return new PortType(info.Type, nullable, [.. info.GenericTypeArguments.Select(Of)]);
    }

    /// <summary>A type known only at run time (no annotations): reference types count as not nullable.</summary>
    public static PortType Plain(Type type, bool nullable)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying) return Plain(underlying, true);
        if (type.IsArray) return new PortType(type, nullable, [Plain(type.GetElementType()!, false)]);
        return new PortType(type, nullable, type.IsGenericType ? [.. type.GetGenericArguments().Select(a => Plain(a, false))] : []);
    }

    /// <summary>What an element with invocations hands on for this output: the list of the values, one per invocation.</summary>
    public PortType AsInvocationList() => new(typeof(IReadOnlyList<>).MakeGenericType(RuntimeType), false, [this]);

    /// <summary>The element type when this is a sequence the checker converts (arrays and generic collections, never a string).</summary>
    public PortType? SequenceElement
    {
        get
        {
            if (Type == typeof(string)) return null;
            if (Type.IsArray) return Type.GetArrayRank() == 1 ? Arguments[0] : null;
            var enumerable = FindEnumerable(Type);
            if (enumerable is null) return null;
            var elementType = enumerable.GetGenericArguments()[0];
            // The declared argument carries the annotations when the type is itself IEnumerable<T>-like over one argument.
            if (Type.IsGenericType && Arguments.Count == 1 && Arguments[0].RuntimeType == elementType) return Arguments[0];
            return Plain(elementType, false);
        }
    }

    public override string ToString()
    {
        var builder = new StringBuilder();
        Write(builder);
        return builder.ToString();
    }

    private void Write(StringBuilder builder)
    {
        if (Type.IsArray)
        {
            Arguments[0].Write(builder);
            builder.Append("[]");
        }
        else if (Type.IsGenericType && Arguments.Count > 0)
        {
            var name = Type.Name;
            var tick = name.IndexOf('`', StringComparison.Ordinal);
            builder.Append(tick >= 0 ? name[..tick] : name).Append('<');
            for (var i = 0; i < Arguments.Count; i++)
            {
                if (i > 0) builder.Append(", ");
                Arguments[i].Write(builder);
            }
            builder.Append('>');
        }
        else builder.Append(TypeNames.Display(Type));
        if (IsNullable) builder.Append('?');
    }

    private static Type? FindEnumerable(Type type)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>)) return type;
        Type? found = null;
        foreach (var candidate in type.GetInterfaces())
        {
            if (!candidate.IsGenericType || candidate.GetGenericTypeDefinition() != typeof(IEnumerable<>)) continue;
            // A type that is a sequence of two things (rare) is not one the checker converts.
            if (found is not null) return null;
            found = candidate;
        }
        return found;
    }
}
