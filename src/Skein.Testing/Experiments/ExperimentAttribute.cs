namespace Skein.Testing;

/// <summary>
/// Marks a method of a test assembly as an experiment of <c>skein test</c>: a suite that names the assembly under
/// <c>assemblies:</c> runs it as one experiment, in the same engine job as its scripts. The method takes an
/// <see cref="ExperimentContext"/> (or nothing) and returns <c>void</c>, <see cref="Task"/> or <see cref="ValueTask"/>;
/// it is static, or an instance method of a class with a public parameterless constructor. It passes when it returns
/// and fails with the exception's message when it throws.
/// </summary>
/// <remarks>The properties say what a script says in its <c># skein:</c> header; the suite's <c>suite.yaml</c> wins where both speak.</remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class ExperimentAttribute : Attribute
{
    /// <summary>The experiment's name in its suite; default: the method's name.</summary>
    public string? Name { get; set; }

    /// <summary>One line, shown by <c>skein test --list</c>.</summary>
    public string? Description { get; set; }

    /// <summary>Requirement, design and test-case ids (<c>REQ-12</c>, <c>TC-4</c>) and labels.</summary>
    public string[]? Tags { get; set; }

    /// <summary>Experiments that must pass first: a name in the same suite, or <c>SUITE::NAME</c>.</summary>
    public string[]? Needs { get; set; }

    /// <summary>Resources held exclusively while it runs.</summary>
    public string[]? Claims { get; set; }

    /// <summary>Longest an attempt may run, as a duration (<c>30s</c>, <c>5m</c>); past it the experiment is stopped and timed out.</summary>
    public string? Timeout { get; set; }

    /// <summary>How many times it runs again after a failure, timeout or error (0 to 10); -1 (the default): its suite's.</summary>
    public int Retries { get; set; } = -1;

    /// <summary>The node it runs on (<c>node-2</c>), as a script's <c>on: { node: … }</c>.</summary>
    public string? Node { get; set; }

    /// <summary>Labels the node it runs on must have, each <c>KEY=VALUE</c>, as a script's <c>on: { labels: … }</c>.</summary>
    public string[]? Labels { get; set; }
}
