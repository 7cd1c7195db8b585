using System.CommandLine;
using Skein.Cli.Commands;

namespace Skein.Cli;

/// <summary>Builds the skein command tree and runs it with Skein's exit-code and error conventions.</summary>
internal static class SkeinCommand
{
    private const string Description = "Skein runs graphs of tasks — in parallel, with timeouts, retries and a journal that lets an interrupted run resume.";

    /// <summary>Every subcommand, by name, in the order help lists them.</summary>
    private static readonly (string Name, Func<Command> Create)[] Subcommands =
    [
        ("run", RunCommand.Create),
        ("validate", ValidateCommand.Create),
        ("test", TestCommand.Create),
        ("runs", RunsCommand.Create),
        ("show", ShowCommand.Create),
        ("logs", LogsCommand.Create),
        ("attach", AttachCommand.Create),
        ("cancel", CancelCommand.Create),
        ("coordinator", CoordinatorCommand.Create),
        ("node", NodeCommand.Create),
        ("nodes", NodesCommand.Create),
        ("services", ServicesCommand.Create),
        ("up", UpCommand.Create),
        ("down", DownCommand.Create),
        ("call", CallCommand.Create),
        ("module", ModuleCommand.Create),
        ("app", AppCommand.Create),
        ("events", EventsCommand.Create),
        ("publish", PublishCommand.Create),
        ("pipeline", PipelineCommand.Create),
        ("barrier", BarrierCommand.CreateBarrier),
        ("exchange", BarrierCommand.CreateExchange),
        (RunExperimentCommand.Name, RunExperimentCommand.Create),
    ];

    /// <summary>The whole command tree.</summary>
    public static RootCommand Create()
    {
        var root = new RootCommand(Description);
        foreach (var (_, create) in Subcommands) root.Add(create());
        return root;
    }

    /// <summary>
    /// The tree <paramref name="args"/> needs: when the first argument names a subcommand, the root with that one alone
    /// (a short command such as <c>skein run</c> then builds, and loads the assemblies of, one command instead of
    /// eighteen); otherwise — no arguments, an option, a misspelt name that deserves a suggestion — the whole tree.
    /// Parsing, help and errors below the subcommand are the same either way: nothing in one subcommand refers to another.
    /// </summary>
    public static RootCommand CreateFor(IReadOnlyList<string> args)
    {
        if (args.Count > 0)
        {
            foreach (var (name, create) in Subcommands)
            {
                if (name == args[0]) return new RootCommand(Description) { create() };
            }
        }
        return Create();
    }

    public static async Task<int> InvokeAsync(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        var root = CreateFor(args);
        StartupTrace.Mark("command tree built");
        var parsed = root.Parse(args);
        StartupTrace.Mark("parsed");
        output ??= Console.Out;
        error ??= Console.Error;
        if (parsed.Errors.Count > 0 || ParseErrors.HasUnknownOptions(parsed))
        {
            ParseErrors.Print(parsed, error);
            return ExitCodes.InvalidInput;
        }
        var configuration = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            // skein run handles Ctrl+C itself: the first one cancels gracefully, a second one kills.
            ProcessTerminationTimeout = null,
            EnableDefaultExceptionHandler = false,
        };
        try
        {
            return await parsed.InvokeAsync(configuration, CancellationToken.None).ConfigureAwait(false);
        }
        catch (JobValidationException ex)
        {
            ProblemPrinter.Print(ex.Problems, error);
            return ExitCodes.InvalidInput;
        }
        catch (Skein.Cluster.Configuration.SkeinConfigurationException ex)
        {
            // skein.yaml or a SKEIN_…__… variable is wrong: every problem, each where it is, and nothing started.
            ProblemPrinter.Print(ex.Problems, error, "nothing started");
            return ExitCodes.InvalidInput;
        }
        catch (Skein.Modules.ModuleStartFailedException ex)
        {
            // The input was fine; the module itself failed to start.
            error.WriteLine($"skein: {ex.Message}");
            return ExitCodes.TasksFailed;
        }
        catch (Skein.Cluster.Addressing.ClusterUnreachableException ex)
        {
            // Not bad input: the same command may work once the cluster is up, or less busy.
            error.WriteLine($"skein: {ex.Message}");
            return ExitCodes.TasksFailed;
        }
        catch (SkeinException ex)
        {
            error.WriteLine($"skein: {ex.Message}");
            return ExitCodes.InvalidInput;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A bug in skein, not in the user's input: say so plainly, keep the trace out of the way.
            error.WriteLine($"skein: internal error: {ex.GetType().Name}: {ex.Message}");
            error.WriteLine("skein: this is a bug in Skein; set SKEIN_DEBUG=1 to see the stack trace.");
            if (Environment.GetEnvironmentVariable("SKEIN_DEBUG") is "1") error.WriteLine(ex);
            return ExitCodes.InternalError;
        }
    }
}
