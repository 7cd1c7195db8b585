using System.CommandLine;
using System.Globalization;
using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Skein.Cli.Suites;
using Skein.Cluster.Client;
using Skein.Testing;

namespace Skein.Cli.Commands;

/// <summary>
/// <c>skein run-experiment --assembly PATH --method TYPE::METHOD</c>: what <c>skein test</c> starts, as the command of an
/// engine task, for a C# experiment. It loads the test assembly in a load context of its own, connects to the cluster
/// the runner's environment names, and calls the method with an <see cref="ExperimentContext"/>; the method's return is
/// a pass (exit 0), its exception a failure (exit 1, the message the last line), bad input exit 2. Hidden from help:
/// it is the runner's, not the user's.
/// </summary>
internal static class RunExperimentCommand
{
    public const string Name = "run-experiment";

    /// <summary>The names of the configuration's parameters, comma-separated: the context's <see cref="ExperimentContext.Parameters"/>.</summary>
    public const string ParametersVariable = "SKEIN_PARAMETERS";

    public static Command Create()
    {
        var assembly = new Option<string>("--assembly") { Description = "The test assembly.", Required = true, HelpName = "PATH" };
        var method = new Option<string>("--method") { Description = "The [Experiment] method, Namespace.Type::Method.", Required = true, HelpName = "TYPE::METHOD" };
        var command = new Command(Name, "Run one C# experiment of skein test (the runner starts this).") { assembly, method };
        command.Hidden = true;
        command.SetAction((parse, _) => ExecuteAsync(parse.GetValue(assembly)!, parse.GetValue(method)!, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    private static async Task<int> ExecuteAsync(string assemblyPath, string methodId, TextWriter output, TextWriter error)
    {
        ExperimentAssembly loaded;
        MethodInfo method;
        try
        {
            loaded = ExperimentAssembly.Load(assemblyPath);
            method = loaded.FindMethod(methodId);
        }
        catch (SkeinException ex)
        {
            // On stdout as well: the last line of the output is the experiment's reason in the reports.
            await output.WriteLineAsync($"skein: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.InvalidInput;
        }

        // The runner stops an attempt with SIGTERM (its timeout, or the run interrupted) and kills it after a grace:
        // the method sees its token cancelled, and one that ignores it is killed and counted timed out.
        using var stop = new CancellationTokenSource();
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);

        using (loaded)
        {
            SkeinClient client;
            try
            {
                client = await SkeinClient.ConnectAsync(cancellationToken: stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SkeinException or OperationCanceledException)
            {
                await output.WriteLineAsync($"skein: the experiment could not connect to the cluster: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.TasksFailed;
            }
            await using (client.ConfigureAwait(false))
            {
                var context = new ExperimentContext(Identity(), client, Parameters(), Scratch(), output, output, stop.Token);
                try
                {
                    await InvokeAsync(method, context).ConfigureAwait(false);
                    return ExitCodes.Success;
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // The whole exception for the log, then its message alone as the last line: the failure's reason.
                    await output.WriteLineAsync(ex.ToString()).ConfigureAwait(false);
                    await output.WriteLineAsync(stop.IsCancellationRequested && ex is OperationCanceledException
                        ? "stopped: the experiment was cancelled"
                        : $"{ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}").ConfigureAwait(false);
                    return ExitCodes.TasksFailed;
                }
            }
        }
    }

    private static async Task InvokeAsync(MethodInfo method, ExperimentContext context)
    {
        object? target = method.IsStatic ? null : Activator.CreateInstance(method.DeclaringType!);
        object? returned;
        try
        {
            returned = method.Invoke(target, method.GetParameters().Length == 0 ? [] : [context]);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is { } inner)
        {
            ExceptionDispatchInfo.Capture(inner).Throw();
            throw;
        }
        switch (returned)
        {
            case Task task: await task.ConfigureAwait(false); break;
            case ValueTask valueTask: await valueTask.ConfigureAwait(false); break;
        }
        if (target is IAsyncDisposable asyncDisposable) await asyncDisposable.DisposeAsync().ConfigureAwait(false);
        else if (target is IDisposable disposable) disposable.Dispose();
    }

    private static ExperimentIdentity Identity() => new(
        Variable("SKEIN_RUN_ID") ?? "",
        Variable(TestJobCompiler.ExperimentVariable) ?? "",
        int.TryParse(Variable("SKEIN_ATTEMPT"), NumberStyles.None, CultureInfo.InvariantCulture, out var attempt) ? attempt : 1,
        Variable("SKEIN_NODE") ?? Environment.MachineName);

    private static Dictionary<string, string> Parameters()
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in (Variable(ParametersVariable) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Variable(name) is { } value) parameters[name] = value;
        }
        return parameters;
    }

    private static string Scratch()
    {
        var scratch = Variable(TestJobCompiler.ScratchVariable) is { Length: > 0 } given ? given : Path.Combine(Path.GetTempPath(), "skein-experiment-" + Environment.ProcessId);
        Directory.CreateDirectory(scratch);
        return scratch;
    }

    private static string? Variable(string name) => Environment.GetEnvironmentVariable(name);
}
