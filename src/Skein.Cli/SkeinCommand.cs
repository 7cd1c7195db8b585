using System.CommandLine;
using Skein.Cli.Commands;

namespace Skein.Cli;

/// <summary>Builds the skein command tree and runs it with Skein's exit-code and error conventions.</summary>
internal static class SkeinCommand
{
    public static RootCommand Create()
    {
        var root = new RootCommand("Skein runs graphs of tasks — in parallel, with timeouts, retries and a journal that lets an interrupted run resume.");
        root.Add(RunCommand.Create());
        root.Add(ValidateCommand.Create());
        root.Add(TestCommand.Create());
        root.Add(RunsCommand.Create());
        root.Add(ShowCommand.Create());
        root.Add(LogsCommand.Create());
        root.Add(AttachCommand.Create());
        root.Add(CancelCommand.Create());
        root.Add(CoordinatorCommand.Create());
        root.Add(NodeCommand.Create());
        root.Add(NodesCommand.Create());
        root.Add(ServicesCommand.Create());
        root.Add(UpCommand.Create());
        root.Add(DownCommand.Create());
        root.Add(CallCommand.Create());
        root.Add(ModuleCommand.Create());
        root.Add(AppCommand.Create());
        root.Add(EventsCommand.Create());
        root.Add(PublishCommand.Create());
        return root;
    }

    public static async Task<int> InvokeAsync(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        var root = Create();
        var parsed = root.Parse(args);
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
