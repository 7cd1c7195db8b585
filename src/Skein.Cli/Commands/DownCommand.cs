using System.CommandLine;

namespace Skein.Cli.Commands;

/// <summary><c>skein down</c>: stop the local cluster that <c>skein up</c> keeps for this state directory.</summary>
internal static class DownCommand
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    public static Command Create()
    {
        var state = CommonOptions.State();
        var command = new Command("down", "Stop the local cluster started by 'skein up' with the same state directory.") { state };
        command.SetAction(async (parse, ct) =>
        {
            var stateDirectory = parse.GetValue(state)!;
            var pidFile = Path.Combine(stateDirectory, UpCommand.PidFileName);
            if (UpCommand.ReadPid(pidFile) is not { } pid || !Posix.Exists(pid))
                throw new SkeinException($"no local cluster is up from {Path.GetFullPath(stateDirectory)} (started with 'skein up')");
            Posix.Signal(pid, Posix.SigTerm);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(StopTimeout);
            using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
            try
            {
                while (Posix.Exists(pid)) await poll.WaitForNextTickAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw new SkeinException($"the local cluster (process {pid}) did not stop within {StopTimeout.TotalSeconds:0} s");
            }
            parse.InvocationConfiguration.Output.WriteLine("cluster down");
            return ExitCodes.Success;
        });
        return command;
    }
}
