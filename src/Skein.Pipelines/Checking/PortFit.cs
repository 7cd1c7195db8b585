using System.Collections;
using System.Globalization;

namespace Skein.Pipelines;

/// <summary>
/// Whether an output's values fit an input, and how a value crosses the edge. The rules, in order:
/// <list type="number">
/// <item>An output that may be null never feeds an input that is not nullable; a non-nullable output feeds a nullable input.</item>
/// <item>The same type fits (type arguments compared the same way, so <c>List&lt;string?&gt;</c> does not feed <c>List&lt;string&gt;</c>).</item>
/// <item>A sequence (an array or a generic collection, never a string) feeds an array, <c>IEnumerable&lt;T&gt;</c>,
/// <c>IReadOnlyCollection&lt;T&gt;</c>, <c>IReadOnlyList&lt;T&gt;</c>, <c>ICollection&lt;T&gt;</c>, <c>IList&lt;T&gt;</c> or
/// <c>List&lt;T&gt;</c> when its elements fit <c>T</c> by these same rules; the value is copied when it must be
/// (another collection type, or elements converted), else handed on as it is.</item>
/// <item>A number feeds a wider number, as C# converts implicitly (<c>int</c> → <c>long</c>, <c>double</c>,
/// <c>decimal</c>; <c>float</c> → <c>double</c>); never the other way (<c>double</c> → <c>int</c> loses data).</item>
/// <item>Otherwise the input's type must accept the output's as it is (a class into its base class or an interface it
/// implements, anything into <c>object</c>).</item>
/// </list>
/// </summary>
internal sealed class PortFit
{
    private static readonly PortFit Identity = new(null, null);

    private PortFit(string? reason, Func<object, object>? convert)
    {
        Reason = reason;
        Convert = convert;
    }

    /// <summary>Why the output does not fit the input, or null when it does.</summary>
    public string? Reason { get; }

    public bool Fits => Reason is null;

    /// <summary>Turns a non-null value of the output into one of the input, or null when it is handed on as it is.</summary>
    public Func<object, object>? Convert { get; }

    public static PortFit Check(PortType from, PortType to)
    {
        if (from.IsNullable && !to.IsNullable) return Refuse($"{from} may be null and {to} is not nullable");
        return CheckValues(from, to);
    }

    private static PortFit Refuse(string reason) => new(reason, null);

    private static PortFit CheckValues(PortType from, PortType to)
    {
        if (from.Type == to.Type && from.Arguments.Count == to.Arguments.Count)
        {
            for (var i = 0; i < from.Arguments.Count; i++)
            {
                if (from.Arguments[i].IsNullable && !to.Arguments[i].IsNullable)
                    return Refuse($"its elements may be null ({from}) and {to} does not take null");
            }
            return Identity;
        }
        if (to.SequenceElement is { } toElement && from.SequenceElement is { } fromElement && SequenceShape.Of(to.Type) is { } shape)
        {
            var element = Check(fromElement, toElement);
            if (!element.Fits) return Refuse($"its elements do not fit: {element.Reason}");
            // Handed on as it is when the input accepts the very value (List<int> into IReadOnlyList<int>).
            if (element.Convert is null && to.Type.IsAssignableFrom(from.Type)) return Identity;
            return new PortFit(null, value => shape.Build(toElement, element.Convert, (IEnumerable)value));
        }
        if (Numbers.Widens(from.Type, to.Type))
        {
            var target = to.Type;
            return new PortFit(null, value => System.Convert.ChangeType(value, target, CultureInfo.InvariantCulture));
        }
        if (Numbers.IsNumber(from.Type) && Numbers.IsNumber(to.Type))
            return Refuse($"{TypeNames.Display(from.Type)} to {TypeNames.Display(to.Type)} may lose data; convert it in an element");
        if (to.Type.IsAssignableFrom(from.Type)) return Identity;
        return Refuse($"a {TypeNames.Display(from.Type)} is not a {TypeNames.Display(to.Type)}");
    }

    /// <summary>The collection types an input may declare that a sequence is copied into.</summary>
    private sealed class SequenceShape(bool asList)
    {
        private static readonly SequenceShape Array = new(false);
        private static readonly SequenceShape List = new(true);

        public static SequenceShape? Of(Type type)
        {
            if (type.IsArray) return type.GetArrayRank() == 1 ? Array : null;
            if (!type.IsGenericType) return null;
            var definition = type.GetGenericTypeDefinition();
            if (definition == typeof(IEnumerable<>) || definition == typeof(IReadOnlyCollection<>) || definition == typeof(IReadOnlyList<>)) return Array;
            if (definition == typeof(ICollection<>) || definition == typeof(IList<>) || definition == typeof(List<>)) return List;
            return null;
        }

        public object Build(PortType element, Func<object, object>? convert, IEnumerable values)
        {
            var elementType = element.RuntimeType;
            var items = new List<object?>();
            foreach (var item in values)
            {
                if (item is null)
                {
                    if (!element.IsNullable) throw new InvalidCastException($"item {items.Count + 1} is null and {element} is not nullable");
                    items.Add(null);
                }
                else items.Add(convert is null ? item : convert(item));
            }
            if (asList)
            {
                var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(elementType), items.Count)!;
                foreach (var item in items) list.Add(item);
                return list;
            }
            var array = System.Array.CreateInstance(elementType, items.Count);
            for (var i = 0; i < items.Count; i++) array.SetValue(items[i], i);
            return array;
        }
    }

    private static class Numbers
    {
        private static readonly Dictionary<Type, Type[]> Wider = new()
        {
            [typeof(sbyte)] = [typeof(short), typeof(int), typeof(long), typeof(float), typeof(double), typeof(decimal)],
            [typeof(byte)] = [typeof(short), typeof(ushort), typeof(int), typeof(uint), typeof(long), typeof(ulong), typeof(float), typeof(double), typeof(decimal)],
            [typeof(short)] = [typeof(int), typeof(long), typeof(float), typeof(double), typeof(decimal)],
            [typeof(ushort)] = [typeof(int), typeof(uint), typeof(long), typeof(ulong), typeof(float), typeof(double), typeof(decimal)],
            [typeof(int)] = [typeof(long), typeof(float), typeof(double), typeof(decimal)],
            [typeof(uint)] = [typeof(long), typeof(ulong), typeof(float), typeof(double), typeof(decimal)],
            [typeof(long)] = [typeof(float), typeof(double), typeof(decimal)],
            [typeof(ulong)] = [typeof(float), typeof(double), typeof(decimal)],
            [typeof(float)] = [typeof(double)],
            [typeof(double)] = [],
            [typeof(decimal)] = [],
        };

        public static bool IsNumber(Type type) => Wider.ContainsKey(type);

        public static bool Widens(Type from, Type to) => Wider.TryGetValue(from, out var wider) && Array.IndexOf(wider, to) >= 0;
    }
}
