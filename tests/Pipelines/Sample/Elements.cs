using System.Globalization;
using Skein.Pipelines;

namespace Sample;

/// <summary>Makes the numbers 1..Count, and says where it ran.</summary>
public sealed class Numbers(int count) : Element
{
    [Output] public IReadOnlyList<int> Values { get; private set; } = [];

    [Output] public string RanOn { get; private set; } = "";

    public override ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        Values = [.. Enumerable.Range(1, count)];
        RanOn = context.Identity.Node ?? "here";
        return ValueTask.CompletedTask;
    }
}

/// <summary>Adds its inputs up, and says where it ran.</summary>
public sealed class Sum : Element
{
    [Input] public IReadOnlyList<int> Values { get; set; } = [];

    [Output] public int Total { get; private set; }

    [Output] public string RanOn { get; private set; } = "";

    public override ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        Total = Values.Sum();
        RanOn = context.Identity.Node ?? "here";
        return ValueTask.CompletedTask;
    }
}

/// <summary>Takes a text; nothing fits it in the broken pipeline.</summary>
public sealed class Shout : Element
{
    [Input] public string Text { get; set; } = "";

    [Input] public string Volume { get; set; } = "";

    [Output] public string Values { get; private set; } = "";

    public override ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        Values = Text.ToUpperInvariant();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// Writes what it was given to <c>report.txt</c> in the directory named by <c>SAMPLE_OUT</c> (the test's), or in its
/// working directory.
/// </summary>
public sealed class Report : Element
{
    [Input] public int Total { get; set; }

    [Input] public string NumbersRanOn { get; set; } = "";

    [Input] public string SumRanOn { get; set; } = "";

    [Output] public string Path { get; private set; } = "";

    public override async ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        var directory = Environment.GetEnvironmentVariable("SAMPLE_OUT") is { Length: > 0 } given ? given : context.WorkingDirectory;
        Path = System.IO.Path.Combine(directory, "report.txt");
        var text = string.Create(CultureInfo.InvariantCulture, $"total={Total}\nnumbers ran on {NumbersRanOn}\nsum ran on {SumRanOn}\nreport ran on {context.Identity.Node ?? "here"}\n");
        await File.WriteAllTextAsync(Path, text, cancellationToken).ConfigureAwait(false);
        await context.Log.WriteLineAsync($"wrote {Path}").ConfigureAwait(false);
    }
}

/// <summary>Passes a number on; two of them wired both ways make a cycle.</summary>
public sealed class Echo : Element
{
    [Input("value")] public int In { get; set; }

    [Output("value")] public int Out { get; private set; }

    public override ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        Out = In;
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// Passes its numbers on. With <c>SAMPLE_STALL</c> set to a file path: the first attempt writes "NODE PID" there and
/// waits until it is stopped (its node is killed under it); a later attempt writes "NODE PID" to that path + ".done"
/// and passes.
/// </summary>
public sealed class Stall : Element
{
    [Input("values")] public IReadOnlyList<int> In { get; set; } = [];

    [Output("values")] public IReadOnlyList<int> Out { get; private set; } = [];

    public override async ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        Out = In;
        var marker = Environment.GetEnvironmentVariable("SAMPLE_STALL");
        if (string.IsNullOrEmpty(marker)) return;
        var said = $"{context.Identity.Node ?? "here"} {Environment.ProcessId}";
        if (File.Exists(marker))
        {
            WriteWhole(marker + ".done", said);
            return;
        }
        WriteWhole(marker, said);
        await Task.Delay(System.Threading.Timeout.Infinite, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Written under another name and renamed, so a reader never sees half of it.</summary>
    private static void WriteWhole(string path, string text)
    {
        var partial = path + ".partial";
        File.WriteAllText(partial, text);
        File.Move(partial, path, overwrite: true);
    }
}
