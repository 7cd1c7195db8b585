using System.Reflection;

namespace Skein.Pipelines;

/// <summary>
/// A pipeline an assembly exposes: a public static parameterless method or property marked <see cref="PipelineAttribute"/>
/// that returns a <see cref="Pipeline"/>. Its declaring type and member are how a node finds the same pipeline in the
/// shipped assembly.
/// </summary>
public sealed class PipelineDefinition
{
    private readonly MemberInfo _member;

    internal PipelineDefinition(Type type, MemberInfo member)
    {
        _member = member;
        DeclaringType = type.FullName!;
        Member = member.Name;
        Assembly = type.Assembly;
    }

    /// <summary>The member's name (<c>Study</c>).</summary>
    public string Name => Member;

    /// <summary>The declaring type's full name and the member: <c>Benchmarks.Pipelines.Study</c>.</summary>
    public string FullName => $"{DeclaringType}.{Member}";

    /// <summary>The full name of the type that declares the member (nested types with <c>+</c>, as reflection writes them).</summary>
    public string DeclaringType { get; }

    public string Member { get; }

    public Assembly Assembly { get; }

    /// <summary>Calls the member: a new pipeline, with new elements, each time.</summary>
    /// <exception cref="PipelineDiscoveryException">The member threw, or returned null.</exception>
    public Pipeline Build()
    {
        object? built;
        try
        {
            built = _member is MethodInfo method ? method.Invoke(null, null) : ((PropertyInfo)_member).GetValue(null);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw new PipelineDiscoveryException($"{FullName} threw while it built its pipeline: {ex.InnerException.GetType().Name}: {ex.InnerException.Message}", ex.InnerException);
        }
        return built as Pipeline ?? throw new PipelineDiscoveryException($"{FullName} returned null, not a pipeline");
    }

    public override string ToString() => FullName;
}

/// <summary>An assembly's [Pipeline] members are wrong (their signatures), or one failed to build its pipeline.</summary>
public sealed class PipelineDiscoveryException : Exception
{
    public PipelineDiscoveryException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    public PipelineDiscoveryException(IReadOnlyList<string> problems)
        : base(string.Join(Environment.NewLine, problems))
    {
        Problems = problems;
    }

    /// <summary>Each wrong member, with what is wrong: one line each.</summary>
    public IReadOnlyList<string> Problems { get; } = [];
}
