namespace Skein.Cluster.Services.Contracts;

/// <summary>Type names as a C# reader writes them: "List&lt;String&gt;", not "List`1".</summary>
internal static class TypeNames
{
    public static string Short(Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying) return Short(underlying) + "?";
        if (type.IsArray) return Short(type.GetElementType()!) + "[]";
        if (!type.IsGenericType) return type.Name;
        var name = type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)];
        return $"{name}<{string.Join(", ", type.GetGenericArguments().Select(Short))}>";
    }
}
