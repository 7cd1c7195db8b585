using System.Runtime.CompilerServices;

namespace Skein.Pipelines;

/// <summary>
/// Checks a pipeline before anything of it runs, and reports every problem at once: wirings that name no port, or
/// whose types do not fit; inputs with no source or with two; duplicate names; cycles; elements no start reaches.
/// </summary>
/// <remarks>
/// <para>A <em>start</em> is an element with no required input (none at all, or only optional ones): it can run first.
/// An element that no path of edges from a start reaches is unreachable; the ones that are themselves missing an
/// input are reported for that instead.</para>
/// <para>An output fits an input when, in this order: it is not nullable or the input is (<c>string?</c> never feeds
/// <c>string</c>; <c>int</c> feeds <c>int?</c>); the types are the same (type arguments' nullability included); both
/// are sequences — an array or a generic collection, never a string — and the input is an array,
/// <c>IEnumerable&lt;T&gt;</c>, <c>IReadOnlyCollection&lt;T&gt;</c>, <c>IReadOnlyList&lt;T&gt;</c>, <c>ICollection&lt;T&gt;</c>,
/// <c>IList&lt;T&gt;</c> or <c>List&lt;T&gt;</c> whose elements the output's fit by these rules (<c>List&lt;int&gt;</c>
/// feeds <c>IReadOnlyList&lt;double&gt;</c>, copied as it crosses); a number widens as C# converts implicitly
/// (<c>int</c> → <c>long</c>, <c>double</c>; never <c>double</c> → <c>int</c>); or the input's type accepts the
/// output's as it is (a base class, an interface, <c>object</c>). An element with invocations hands on, for an output
/// of type <c>T</c>, an <c>IReadOnlyList&lt;T&gt;</c> of its values, one per invocation.</para>
/// <para>At run time each value is checked again as it crosses its edge (null into a non-nullable input, a value that
/// is not of its output's declared type); a mismatch fails the receiving element, naming the port.</para>
/// <para>Linear in elements and wirings: a pipeline of 10,000 elements is checked in milliseconds.</para>
/// </remarks>
public static class PipelineChecker
{
    public static PipelineCheck Check(Pipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var problems = new List<PipelineProblem>();
        if (pipeline.Elements.Count == 0)
            problems.Add(new PipelineProblem(PipelineProblemKind.Empty, $"pipeline '{pipeline.Name}' has no elements"));

        var fits = new Dictionary<(PortType, PortType), PortFit>(PortPairs.Instance);
        var edges = ResolveWires(pipeline, problems, fits);
        CheckSources(pipeline, edges, problems);
        CheckNames(pipeline, problems);
        var order = CheckCycles(pipeline, edges, problems);
        CheckReachable(pipeline, edges, problems);
        return new PipelineCheck(pipeline, problems, edges, order, fits);
    }

    /// <summary>What an output hands on: its declared type, or the list of its values for an element with invocations.</summary>
    internal static PortType HandedOn(Element element, PortInfo output) =>
        element.InvocationCount is null ? output.PortType : output.PortType.AsInvocationList();

    internal static string Describe(Element element, PortInfo port, PortType type) => $"{element.Name}.{port.Name} ({type})";

    private static List<Edge> ResolveWires(Pipeline pipeline, List<PipelineProblem> problems, Dictionary<(PortType, PortType), PortFit> fits)
    {
        var edges = new List<Edge>();
        var seen = new HashSet<(Element, string, Element, string)>();
        foreach (var wire in pipeline.Wires)
        {
            foreach (var (output, input) in Resolve(wire, problems))
            {
                if (!seen.Add((wire.From, output.Name, wire.To, input.Name))) continue;
                var from = HandedOn(wire.From, output);
                // Most edges of a large pipeline join the same few port types: each pair is decided once.
                if (!fits.TryGetValue((from, input.PortType), out var fit)) fits[(from, input.PortType)] = fit = PortFit.Check(from, input.PortType);
                if (!fit.Fits)
                {
                    problems.Add(new PipelineProblem(PipelineProblemKind.TypeMismatch,
                        $"{Describe(wire.From, output, from)} >> {Describe(wire.To, input, input.PortType)}: the types do not fit ({fit.Reason})",
                        wire.From.Name, output.Name, wire.To.Name, input.Name));
                    continue;
                }
                edges.Add(new Edge(wire.From, output.Name, wire.To, input.Name));
            }
        }
        return edges;
    }

    internal sealed class PortPairs : IEqualityComparer<(PortType, PortType)>
    {
        public static readonly PortPairs Instance = new();

        public bool Equals((PortType, PortType) x, (PortType, PortType) y) => ReferenceEquals(x.Item1, y.Item1) && ReferenceEquals(x.Item2, y.Item2);

        public int GetHashCode((PortType, PortType) obj) => HashCode.Combine(RuntimeHelpers.GetHashCode(obj.Item1), RuntimeHelpers.GetHashCode(obj.Item2));
    }

    /// <summary>The output and input pairs one wiring stands for; an unknown port or no match is a problem, and no pair.</summary>
    private static List<(PortInfo Output, PortInfo Input)> Resolve(Wire wire, List<PipelineProblem> problems)
    {
        var fromPorts = wire.From.Ports;
        var toPorts = wire.To.Ports;
        var pairs = new List<(PortInfo, PortInfo)>();
        PortInfo? output = null;
        PortInfo? input = null;
        if (wire.FromPort is { } fromName)
        {
            output = fromPorts.FindOutput(fromName);
            if (output is null)
            {
                problems.Add(Unknown(wire, wire.From, fromName, PortDirection.Output, wire.From.Name, fromName, wire.To.Name, wire.ToPort));
                return pairs;
            }
        }
        if (wire.ToPort is { } toName)
        {
            input = toPorts.FindInput(toName);
            if (input is null)
            {
                problems.Add(Unknown(wire, wire.To, toName, PortDirection.Input, wire.From.Name, wire.FromPort, wire.To.Name, toName));
                return pairs;
            }
        }
        if (output is not null && input is not null) pairs.Add((output, input));
        else if (output is not null)
        {
            // a["x"] >> b: the input named x, or b's only input.
            input = toPorts.FindInput(output.Name) ?? (toPorts.Inputs.Count == 1 ? toPorts.Inputs[0] : null);
            if (input is not null) pairs.Add((output, input));
        }
        else if (input is not null)
        {
            // a >> b["y"]: the output named y, or a's only output.
            output = fromPorts.FindOutput(input.Name) ?? (fromPorts.Outputs.Count == 1 ? fromPorts.Outputs[0] : null);
            if (output is not null) pairs.Add((output, input));
        }
        else
        {
            foreach (var candidate in fromPorts.Outputs)
            {
                if (toPorts.FindInput(candidate.Name) is { } match) pairs.Add((candidate, match));
            }
        }
        if (pairs.Count == 0)
        {
            problems.Add(new PipelineProblem(PipelineProblemKind.NoMatchingPorts,
                $"{wire}: no output of {wire.From.Name} ({List(fromPorts.Outputs, wire.From, outputs: true)}) matches an input of {wire.To.Name} ({List(toPorts.Inputs, wire.To, outputs: false)}) by name; wire the ports explicitly: {wire.From.Name}[\"…\"] >> {wire.To.Name}[\"…\"]",
                wire.From.Name, wire.FromPort, wire.To.Name, wire.ToPort));
        }
        return pairs;
    }

    private static PipelineProblem Unknown(Wire wire, Element element, string port, PortDirection wanted, string from, string? fromPort, string to, string? toPort)
    {
        var ports = element.Ports;
        var (want, other) = wanted == PortDirection.Output ? ("output", "input") : ("input", "output");
        var listed = wanted == PortDirection.Output ? ports.Outputs : ports.Inputs;
        var isOther = wanted == PortDirection.Output ? ports.FindInput(port) is not null : ports.FindOutput(port) is not null;
        var why = isOther
            ? $"'{port}' is an {other} of {element.Name}, not an {want}"
            : $"{element.Name} has no {want} '{port}'";
        return new PipelineProblem(PipelineProblemKind.UnknownPort,
            $"{wire}: {why} ({want}s: {List(listed, element, wanted == PortDirection.Output)})", from, fromPort, to, toPort);
    }

    private static string List(IReadOnlyList<PortInfo> ports, Element element, bool outputs) =>
        ports.Count == 0 ? "none" : string.Join(", ", ports.Select(p => $"{p.Name}: {(outputs ? HandedOn(element, p) : p.PortType)}"));

    private static void CheckSources(Pipeline pipeline, List<Edge> edges, List<PipelineProblem> problems)
    {
        var sources = new Dictionary<(Element, string), Edge>();
        foreach (var edge in edges)
        {
            if (sources.TryGetValue((edge.To, edge.Input), out var first))
            {
                var input = edge.To.Ports.FindInput(edge.Input)!;
                problems.Add(new PipelineProblem(PipelineProblemKind.TwoSources,
                    $"{DescribeOutput(first)} and {DescribeOutput(edge)} both feed {Describe(edge.To, input, input.PortType)}: an input has one source",
                    edge.From.Name, edge.Output, edge.To.Name, edge.Input));
                continue;
            }
            sources[(edge.To, edge.Input)] = edge;
        }
        // Inputs whose only wiring was refused (a type that does not fit) are reported for that, not as missing.
        var wired = new HashSet<(Element, string)>();
        foreach (var problem in problems)
        {
            if (problem.Kind == PipelineProblemKind.TypeMismatch && problem.To is not null && pipeline.Find(problem.To) is { } to) wired.Add((to, problem.ToPort!));
        }
        foreach (var element in pipeline.Elements)
        {
            foreach (var input in element.Ports.Inputs)
            {
                if (input.Optional || sources.ContainsKey((element, input.Name)) || wired.Contains((element, input.Name))) continue;
                problems.Add(new PipelineProblem(PipelineProblemKind.MissingInput,
                    $"{Describe(element, input, input.PortType)} has no source: wire an output to it, or mark it [Input(Optional = true)]",
                    To: element.Name, ToPort: input.Name));
            }
        }
    }

    private static string DescribeOutput(Edge edge)
    {
        var output = edge.From.Ports.FindOutput(edge.Output)!;
        return Describe(edge.From, output, HandedOn(edge.From, output));
    }

    private static void CheckNames(Pipeline pipeline, List<PipelineProblem> problems)
    {
        var byName = new Dictionary<string, Element>(StringComparer.Ordinal);
        foreach (var element in pipeline.Elements)
        {
            if (byName.TryAdd(element.Name, element)) continue;
            var first = byName[element.Name];
            problems.Add(new PipelineProblem(PipelineProblemKind.DuplicateName,
                $"two elements are named '{element.Name}' ({first.GetType().Name} and {element.GetType().Name}): names are task ids and must be unique; name one with .Named(\"…\")",
                first.Name, To: element.Name));
        }
    }

    /// <summary>Orders the elements (Kahn) and names each cycle as a path, once per strongly connected set.</summary>
    private static List<Element> CheckCycles(Pipeline pipeline, List<Edge> edges, List<PipelineProblem> problems)
    {
        var index = new Dictionary<Element, int>(ReferenceEqualityComparer.Instance);
        foreach (var element in pipeline.Elements) index[element] = index.Count;
        var n = index.Count;
        var next = new List<int>[n];
        for (var i = 0; i < n; i++) next[i] = [];
        var pending = new int[n];
        var linked = new HashSet<(int, int)>();
        foreach (var edge in edges)
        {
            var (a, b) = (index[edge.From], index[edge.To]);
            if (!linked.Add((a, b))) continue;
            next[a].Add(b);
            pending[b]++;
        }

        var order = new List<Element>(n);
        // A queue ordered by the pipeline's order keeps the order stable; a plain FIFO from a sorted start is enough for that.
        var ready = new Queue<int>();
        for (var i = 0; i < n; i++)
        {
            if (pending[i] == 0) ready.Enqueue(i);
        }
        var left = (int[])pending.Clone();
        while (ready.Count > 0)
        {
            var i = ready.Dequeue();
            order.Add(pipeline.Elements[i]);
            foreach (var j in next[i])
            {
                if (--left[j] == 0) ready.Enqueue(j);
            }
        }
        if (order.Count == n) return order;

        foreach (var cycle in Cycles.Find(next))
        {
            var path = string.Join(" → ", cycle.Select(i => pipeline.Elements[i].Name)) + " → " + pipeline.Elements[cycle[0]].Name;
            problems.Add(new PipelineProblem(PipelineProblemKind.Cycle,
                $"cycle: {path}: an element cannot wait for its own outputs", pipeline.Elements[cycle[0]].Name,
                To: pipeline.Elements[cycle[^1]].Name));
        }
        return order;
    }

    private static void CheckReachable(Pipeline pipeline, List<Edge> edges, List<PipelineProblem> problems)
    {
        var missing = new HashSet<string>(StringComparer.Ordinal);
        foreach (var problem in problems)
        {
            if (problem.Kind is PipelineProblemKind.MissingInput or PipelineProblemKind.TypeMismatch && problem.To is not null) missing.Add(problem.To);
        }
        var next = new Dictionary<Element, List<Element>>(ReferenceEqualityComparer.Instance);
        foreach (var edge in edges)
        {
            if (!next.TryGetValue(edge.From, out var list)) next[edge.From] = list = [];
            list.Add(edge.To);
        }
        var reached = new HashSet<Element>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<Element>();
        foreach (var element in pipeline.Elements)
        {
            if (element.Ports.Inputs.Any(i => !i.Optional)) continue;
            if (reached.Add(element)) stack.Push(element);
        }
        while (stack.Count > 0)
        {
            var element = stack.Pop();
            if (!next.TryGetValue(element, out var list)) continue;
            foreach (var to in list)
            {
                if (reached.Add(to)) stack.Push(to);
            }
        }
        foreach (var element in pipeline.Elements)
        {
            if (reached.Contains(element) || missing.Contains(element.Name)) continue;
            problems.Add(new PipelineProblem(PipelineProblemKind.Unreachable,
                $"{element.Name} cannot be reached from any start (an element with no required inputs): whatever feeds it never runs",
                element.Name));
        }
    }
}
