namespace Skein.Pipelines;

/// <summary>Types as C# writes them, for messages: <c>IReadOnlyList&lt;double&gt;</c>, not <c>IReadOnlyList`1</c>.</summary>
internal static class TypeNames
{
    public static string Display(Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying) return Display(underlying) + "?";
        if (type.IsArray) return Display(type.GetElementType()!) + "[]";
        var keyword = Keyword(type);
        if (keyword is not null) return keyword;
        if (!type.IsGenericType) return type.Name;
        var name = type.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        if (tick >= 0) name = name[..tick];
        return $"{name}<{string.Join(", ", type.GetGenericArguments().Select(Display))}>";
    }

    private static string? Keyword(Type type) =>
        type == typeof(int) ? "int" : type == typeof(long) ? "long" : type == typeof(double) ? "double" : type == typeof(float) ? "float"
        : type == typeof(string) ? "string" : type == typeof(bool) ? "bool" : type == typeof(object) ? "object" : type == typeof(decimal) ? "decimal"
        : type == typeof(byte) ? "byte" : type == typeof(short) ? "short" : null;
}
