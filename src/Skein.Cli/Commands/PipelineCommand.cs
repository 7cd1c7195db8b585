using System.CommandLine;
using Skein.Cli.Pipelines;
using Skein.Pipelines;

namespace Skein.Cli.Commands;

/// <summary>
/// <c>skein pipeline run|check|graph PATH</c>: typed pipelines from a C# project or a built assembly, found by their
/// <c>[Pipeline]</c> members — run (here, on a throwaway local cluster, or on a cluster), checked, or drawn.
/// </summary>
internal static class PipelineCommand
{
    public static Command Create() => new("pipeline", "Run, check or draw the typed pipelines of a C# project or a built assembly.")
    {
        PipelineRunCommand.Create(),
        CreateCheck(),
        CreateGraph(),
    };

    /// <summary>The PATH argument every subcommand takes.</summary>
    internal static Argument<string> PathArgument() => new("PATH")
    {
        Description = "A built assembly (.dll), a C# project (.csproj, built first with 'dotnet build -c Release'), or a directory holding one project.",
    };

    internal static Option<string?> PipelineOption() => new("--pipeline", "-p")
    {
        Description = "The pipeline to use, by name, when PATH exposes several.",
        HelpName = "NAME",
    };

    private static Command CreateCheck()
    {
        var path = PathArgument();
        var name = PipelineOption();
        var command = new Command("check", "Check a pipeline without running it: every problem (types, missing or doubled sources, unknown ports, cycles, unreachable elements), one per line.")
        {
            path, name,
        };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var loaded = await PipelineLoading.LoadAsync(parse.GetValue(path)!, parse.GetValue(name), error, ct).ConfigureAwait(false);
            var check = PipelineChecker.Check(loaded.Pipeline);
            if (!PipelineProblems.Print(loaded.Pipeline, check, error)) return ExitCodes.InvalidInput;
            await output.WriteLineAsync($"pipeline {loaded.Pipeline.Name}: {Count(loaded.Pipeline.Elements.Count, "element")}, {Count(check.Edges.Count, "edge")}; valid").ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command CreateGraph()
    {
        var path = PathArgument();
        var name = PipelineOption();
        var format = new Option<string>("--format", "-f") { Description = "dot (Graphviz) or mermaid.", DefaultValueFactory = _ => PipelineGraph.Dot };
        format.AcceptOnlyFromAmong(PipelineGraph.Dot, PipelineGraph.Mermaid);
        var file = new Option<string?>("--output", "-o") { Description = "Write the graph to PATH instead of standard output.", HelpName = "PATH" };
        var command = new Command("graph", "Draw a pipeline as Graphviz DOT or Mermaid: elements with their ports, placement and invocations, edges labelled with their ports.")
        {
            path, name, format, file,
        };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var loaded = await PipelineLoading.LoadAsync(parse.GetValue(path)!, parse.GetValue(name), error, ct).ConfigureAwait(false);
            var check = PipelineChecker.Check(loaded.Pipeline);
            // A pipeline with problems is still drawn (what resolved of it), which helps to see them; the exit code says it is not valid.
            var valid = PipelineProblems.Print(loaded.Pipeline, check, error, "the graph shows the edges that resolve");
            var graph = PipelineGraph.Render(loaded.Pipeline, check.Edges, parse.GetValue(format)!);
            if (parse.GetValue(file) is { } target)
            {
                try
                {
                    var full = Path.GetFullPath(target);
                    Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                    await File.WriteAllTextAsync(full, graph, ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    throw new SkeinException($"cannot write the graph to '{target}': {ex.Message}", ex);
                }
            }
            else
            {
                await output.WriteAsync(graph).ConfigureAwait(false);
            }
            return valid ? ExitCodes.Success : ExitCodes.InvalidInput;
        });
        return command;
    }

    private static string Count(int n, string what) => $"{n} {what}{(n == 1 ? "" : "s")}";
}
