using System.Globalization;
using System.Reflection;

namespace Skein.Pipelines.Elements;

/// <summary>
/// The columns of a table of <typeparamref name="T"/> rows: a record's or class's public readable properties of
/// simple types (numbers, text, booleans, enums, dates, times), in declaration order; a simple
/// <typeparamref name="T"/> itself is one column named <c>value</c>.
/// </summary>
internal sealed class TableColumns<T>
    where T : notnull
{
    public static readonly TableColumns<T> Instance = new();

    private readonly IReadOnlyList<(string Name, Func<T, object?> Read)> _columns;

    private TableColumns()
    {
        if (IsSimple(typeof(T)))
        {
            _columns = [("value", row => row)];
            return;
        }
        _columns = [.. typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0 && IsSimple(p.PropertyType))
            .OrderBy(p => p.MetadataToken)
            .Select(p => (p.Name, (Func<T, object?>)(row => p.GetValue(row))))];
        if (_columns.Count == 0) throw new ArgumentException($"{TypeNames.Display(typeof(T))} has no public properties of simple types to make columns of");
    }

    public IEnumerable<string> Names => _columns.Select(c => c.Name);

    public IEnumerable<object?> Values(T row) => _columns.Select(c => row is null ? null : c.Read(row));

    /// <summary>A field as text, invariant culture: numbers with <paramref name="numberFormat"/> (null: round-trip).</summary>
    public static string Format(object? value, string? numberFormat) => value switch
    {
        null => "",
        double d => d.ToString(numberFormat ?? "R", CultureInfo.InvariantCulture),
        float f => f.ToString(numberFormat ?? "R", CultureInfo.InvariantCulture),
        decimal m => m.ToString(numberFormat, CultureInfo.InvariantCulture),
        TimeSpan t => t.TotalSeconds.ToString(numberFormat ?? "R", CultureInfo.InvariantCulture),
        DateTimeOffset o => o.ToString("O", CultureInfo.InvariantCulture),
        DateTime o => o.ToString("O", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static bool IsSimple(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(DateTime)
            || type == typeof(DateTimeOffset) || type == typeof(TimeSpan) || type == typeof(Guid);
    }
}

/// <summary>Where a writer's file goes: a relative path is taken from the element's directory; missing folders are made.</summary>
internal static class OutputFiles
{
    public static string Prepare(ElementContext context, string path)
    {
        var full = Path.GetFullPath(path, context.WorkingDirectory);
        var folder = Path.GetDirectoryName(full);
        if (folder is not null) Directory.CreateDirectory(folder);
        return full;
    }
}
