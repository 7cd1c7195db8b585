using System.Collections.Concurrent;
using Skein.Engine;

namespace Skein.Pipelines.Tests.Running;

/// <summary>Small elements the running tests wire together; public, since a [Pipeline] member builds some of them.</summary>
public sealed class Numbers : Element
{
    [Output] public List<int> Samples { get; private set; } = [];

    public int Count { get; init; } = 4;

    public override ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        Samples = [.. Enumerable.Range(1, Count)];
        return ValueTask.CompletedTask;
    }
}

public sealed class Scale : Element
{
    [Input] public IReadOnlyList<double> Samples { get; set; } = [];

    [Output("samples")] public double[] Scaled { get; private set; } = [];

    public double Factor { get; init; } = 2;

    public override ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        Scaled = [.. Samples.Select(s => s * Factor)];
        return ValueTask.CompletedTask;
    }
}

public sealed class Sum : Element
{
    [Input] public IEnumerable<double> Samples { get; set; } = [];

    [Output] public double Total { get; private set; }

    [Output] public int Count { get; private set; }

    public override ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        Total = Samples.Sum();
        Count = Samples.Count();
        return ValueTask.CompletedTask;
    }
}

public sealed class Report : Element
{
    [Input] public double Total { get; set; }

    [Input] public long Count { get; set; }

    [Input(Optional = true)] public string? Title { get; set; }

    [Output] public string Text { get; private set; } = "";

    public override ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        Text = $"{Title ?? "total"}: {Total} over {Count}";
        return ValueTask.CompletedTask;
    }
}

/// <summary>Records what happened to it, in order, in a journal of its own.</summary>
public sealed class Recorded : Element
{
    public ConcurrentQueue<string> Events { get; } = new();

    /// <summary>What the run does: nothing, throw, or wait for the token.</summary>
    public string Mode { get; init; } = "pass";

    [Output] public int Invocation { get; private set; }

    [Output] public string Directory { get; private set; } = "";

    public override ValueTask SetupAsync(ElementContext context, CancellationToken cancellationToken)
    {
        Events.Enqueue("setup");
        return ValueTask.CompletedTask;
    }

    public override async ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        Events.Enqueue($"run {context.Invocation}");
        Invocation = context.Invocation;
        Directory = context.WorkingDirectory;
        // A fresh directory: empty, whatever an earlier invocation left in its own.
        if (System.IO.Directory.EnumerateFileSystemEntries(Directory).Any()) throw new InvalidOperationException($"{Directory} is not empty");
        await File.WriteAllTextAsync(Path.Combine(Directory, "left-behind"), "x", cancellationToken);
        if (Mode == "throw") throw new InvalidOperationException("the workload broke");
        if (Mode == "hang") await Task.Delay(System.Threading.Timeout.Infinite, cancellationToken);
    }

    public override ValueTask TeardownAsync(ElementContext context, CancellationToken cancellationToken)
    {
        Events.Enqueue("teardown");
        return ValueTask.CompletedTask;
    }

    public Recorded Hooked(string name) => this.WithHook(name,
        (_, _) => { Events.Enqueue($"{name} setup"); return ValueTask.CompletedTask; },
        (_, _) => { Events.Enqueue($"{name} teardown"); return ValueTask.CompletedTask; });
}

public sealed class Labels : Element
{
    [Output] public string Label { get; set; } = "";

    /// <summary>Hands on null, though the output says it never is.</summary>
    public bool Broken { get; init; }

    public override ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        Label = Broken ? null! : "fine";
        return ValueTask.CompletedTask;
    }
}

public sealed class Echo : Element
{
    public static int Runs;

    public static bool Fail;

    [Input] public string Label { get; set; } = "";

    [Output] public string Said { get; private set; } = "";

    public override ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Runs);
        if (Fail) throw new InvalidOperationException("asked to fail");
        Said = "echo " + Label;
        return ValueTask.CompletedTask;
    }
}

/// <summary>The pipelines of this test assembly that a node (or the shipped path in one process) builds by name.</summary>
public static class TestPipelines
{
    [Pipeline]
    public static Pipeline Sums() => Build("sums");

    [Pipeline]
    public static Pipeline Placed => new("placed", new Numbers() >> new Scale().On("node-1") >> new Sum() >> new Report());

    public static Pipeline Build(string name)
    {
        var sum = new Sum();
        return new Pipeline(name, new Numbers() >> new Scale() >> sum >> new Report(), sum >> new Report().Named("again"));
    }
}
