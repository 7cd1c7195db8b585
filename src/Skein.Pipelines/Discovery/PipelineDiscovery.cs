using System.Reflection;

namespace Skein.Pipelines;

/// <summary>Finds the pipelines an assembly exposes through <see cref="PipelineAttribute"/>.</summary>
public static class PipelineDiscovery
{
    private const BindingFlags Everything = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;

    /// <summary>Every [Pipeline] member of the assembly, in type and member order.</summary>
    /// <exception cref="PipelineDiscoveryException">A [Pipeline] member has the wrong signature: every such member is named, with why.</exception>
    public static IReadOnlyList<PipelineDefinition> Find(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var found = new List<PipelineDefinition>();
        var problems = new List<string>();
        foreach (var type in TypesOf(assembly).OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            foreach (var member in type.GetMembers(Everything).OrderBy(m => m.MetadataToken))
            {
                if (member is not (MethodInfo or PropertyInfo) || !member.IsDefined(typeof(PipelineAttribute), inherit: false)) continue;
                var problem = Problem(type, member);
                if (problem is null) found.Add(new PipelineDefinition(type, member));
                else problems.Add($"{type.FullName}.{member.Name}: {problem}; [Pipeline] marks a public static method without parameters, or a public static property, that returns a Pipeline");
            }
        }
        if (problems.Count > 0) throw new PipelineDiscoveryException(problems);
        return found;
    }

    /// <summary>The pipeline of that declaring type and member: what a node looks up in a shipped assembly.</summary>
    /// <exception cref="PipelineDiscoveryException">There is no such [Pipeline] member, or it is wrong.</exception>
    public static PipelineDefinition Find(Assembly assembly, string declaringType, string member)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var type = assembly.GetType(declaringType, throwOnError: false)
            ?? throw new PipelineDiscoveryException($"{assembly.GetName().Name} has no type {declaringType}");
        foreach (var candidate in type.GetMember(member, Everything))
        {
            if (candidate is not (MethodInfo or PropertyInfo) || !candidate.IsDefined(typeof(PipelineAttribute), inherit: false)) continue;
            if (Problem(type, candidate) is { } problem) throw new PipelineDiscoveryException($"{declaringType}.{member}: {problem}");
            return new PipelineDefinition(type, candidate);
        }
        throw new PipelineDiscoveryException($"{declaringType} has no [Pipeline] member {member}");
    }

    private static string? Problem(Type type, MemberInfo member)
    {
        if (!IsVisible(type)) return $"{type.Name} is not public";
        if (type.ContainsGenericParameters) return $"{type.Name} is generic";
        switch (member)
        {
            case MethodInfo method:
                if (!method.IsPublic) return "the method is not public";
                if (!method.IsStatic) return "the method is not static";
                if (method.IsGenericMethodDefinition) return "the method is generic";
                if (method.GetParameters().Length > 0) return $"the method takes {method.GetParameters().Length} parameter(s)";
                if (method.ReturnType != typeof(Pipeline)) return $"the method returns {TypeNames.Display(method.ReturnType)}, not Pipeline";
                return null;
            case PropertyInfo property:
                var getter = property.GetMethod;
                if (getter is null || !getter.IsPublic) return "the property has no public getter";
                if (!getter.IsStatic) return "the property is not static";
                if (property.GetIndexParameters().Length > 0) return "the property is an indexer";
                if (property.PropertyType != typeof(Pipeline)) return $"the property is a {TypeNames.Display(property.PropertyType)}, not a Pipeline";
                return null;
            default:
                return "it is neither a method nor a property";
        }
    }

    private static bool IsVisible(Type type) => type.IsPublic || (type.IsNestedPublic && type.DeclaringType is { } outer && IsVisible(outer));

    private static IEnumerable<Type> TypesOf(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            return ex.Types.OfType<Type>();
        }
    }
}
