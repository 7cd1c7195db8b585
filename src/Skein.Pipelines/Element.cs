using Skein.Engine;

namespace Skein.Pipelines;

/// <summary>
/// One step of a pipeline: a class whose public properties marked <see cref="InputAttribute"/> and
/// <see cref="OutputAttribute"/> are its typed, named ports. The runner sets the inputs, calls
/// <see cref="SetupAsync"/>, <see cref="RunAsync"/> (once per invocation, each in a fresh directory) and, always,
/// <see cref="TeardownAsync"/>, then reads the outputs.
/// </summary>
/// <remarks>
/// <c>a &gt;&gt; b</c> wires every output of <c>a</c> to the input of <c>b</c> with the same name;
/// <c>a["times"] &gt;&gt; b["samples"]</c> wires two ports by name. An element is one node of the graph however many
/// chains it appears in. Placement, invocations, timeouts and retries are set with the fluent methods of
/// <see cref="ElementExtensions"/>.
/// </remarks>
public abstract class Element
{
    private readonly List<ElementHook> _hooks = [];
    private string? _name;

    /// <summary>The element's name in its pipeline (its task id): given with <see cref="ElementExtensions.Named{T}"/>,
    /// or the type's name in kebab-case, numbered when several elements share it.</summary>
    public string Name
    {
        get => _name ?? KebabCase.Of(DefaultName(GetType()));
        internal set => _name = value;
    }

    /// <summary>True when a name was given, so the pipeline leaves it as it is.</summary>
    internal bool HasExplicitName => _name is not null;

    /// <summary>The element's declared ports.</summary>
    public ElementPorts Ports => ElementPorts.Of(GetType());

    /// <summary>Where the element runs on a cluster, or null for any node.</summary>
    public TaskPlacement? Placement { get; internal set; }

    /// <summary>How many times the element runs, each in a fresh directory; its outputs are then the lists of the values; null: once, outputs as declared.</summary>
    public int? InvocationCount { get; internal set; }

    public TimeSpan? Timeout { get; internal set; }

    public int Retries { get; internal set; }

    public IReadOnlyList<string> Claims { get; internal set; } = [];

    public TaskResources? Resources { get; internal set; }

    /// <summary>Hooks around the element's run: set up in order, torn down in reverse, teardown always.</summary>
    public IReadOnlyList<ElementHook> Hooks => _hooks;

    internal void AddHook(ElementHook hook) => _hooks.Add(hook);

    /// <summary>The work: read the inputs, set the outputs. <paramref name="context"/> says which invocation, and where.</summary>
    public abstract ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken);

    /// <summary>Runs before the first invocation (after the hooks' setup).</summary>
    public virtual ValueTask SetupAsync(ElementContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Runs after the last invocation, also when it threw or timed out (before the hooks' teardown).</summary>
    public virtual ValueTask TeardownAsync(ElementContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>A port of this element, by name, for explicit wiring: <c>a["times"] &gt;&gt; b["samples"]</c>.</summary>
    public Port this[string port]
    {
        get
        {
            ArgumentException.ThrowIfNullOrEmpty(port);
            return new Port(this, port);
        }
    }

    /// <summary>Wires every output of <paramref name="from"/> to the input of <paramref name="to"/> with the same name.</summary>
    public static Chain operator >>(Element from, Element to) => Chain.Start(from).Then(to);

    /// <summary>Wires <paramref name="from"/>'s output named as <paramref name="to"/> (or its only output) to that input.</summary>
    public static Chain operator >>(Element from, Port to) => Chain.Start(from).Then(to);

    public override string ToString() => Name;

    private static string DefaultName(Type type)
    {
        var name = type.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        if (tick >= 0) name = name[..tick];
        return name.Length > "Element".Length && name.EndsWith("Element", StringComparison.Ordinal) ? name[..^"Element".Length] : name;
    }
}

/// <summary>A setup and a teardown around an element's run (a tool started before a workload and stopped after it, say).</summary>
public sealed class ElementHook(string name, Func<ElementContext, CancellationToken, ValueTask>? setup, Func<ElementContext, CancellationToken, ValueTask>? teardown)
{
    public string Name { get; } = name;

    public Func<ElementContext, CancellationToken, ValueTask>? Setup { get; } = setup;

    public Func<ElementContext, CancellationToken, ValueTask>? Teardown { get; } = teardown;
}
