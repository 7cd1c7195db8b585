using System.Text;

namespace Skein.Shared.Processes;

/// <summary>
/// A running command: <c>bash -c COMMAND</c> as the leader of its own session and process group, its standard input
/// at end of file (or a pipe from us, when asked for), its standard output and error piped back.
/// </summary>
internal abstract class CommandProcess : IDisposable
{
    /// <summary>Set to true to start commands through System.Diagnostics.Process and setsid(1) instead of posix_spawn.</summary>
    public const string UseProcessStartSwitch = "Skein.Engine.Commands.UseProcessStart";

    private static readonly bool ProcessStartRequested =
        AppContext.TryGetSwitch(UseProcessStartSwitch, out var useProcessStart) && useProcessStart;

    /// <summary>The process id, which is also its process group id.</summary>
    public abstract int Id { get; }

    /// <summary>The write end of the command's standard input when it was started with one open; null when it reads end of file.</summary>
    public abstract Stream? StandardInput { get; }

    public abstract StreamReader StandardOutput { get; }

    public abstract StreamReader StandardError { get; }

    /// <summary>Valid once <see cref="WaitForExitAsync"/> completed: the exit status, or 128 + the signal that ended it.</summary>
    public abstract int ExitCode { get; }

    public abstract Task WaitForExitAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Blocks the calling thread for at most <paramref name="window"/> waiting for the command to exit, so a short
    /// command completes without any thread hand-over. Gives up early when the command writes a lot (its output must
    /// be read). Returns whether it exited; if not, wait with <see cref="WaitForExitAsync"/>.
    /// </summary>
    public virtual bool WaitForExitBriefly(TimeSpan window) => false;

    /// <summary>
    /// Tells the output readers the command has exited, so reads waiting for the end of its pipes finish on the
    /// caller's thread. Call it once <see cref="WaitForExitAsync"/> completed.
    /// </summary>
    public virtual void CompleteOutputReads()
    {
    }

    public abstract void Dispose();

    /// <summary>Starts the command, with posix_spawn where the platform allows and through setsid(1) otherwise.</summary>
    /// <param name="environment">Variables added to or replacing the inherited environment, in order.</param>
    /// <param name="useProcessStart">Start through System.Diagnostics.Process even where posix_spawn is available.</param>
    /// <param name="openStandardInput">Give the command a pipe as its standard input (<see cref="StandardInput"/>) instead of end of file.</param>
    /// <exception cref="CommandStartException">bash could not be started.</exception>
    public static CommandProcess Start(string command, string workingDirectory, IEnumerable<KeyValuePair<string, string>> environment, bool useProcessStart = false,
        bool openStandardInput = false)
    {
        if (!useProcessStart && !ProcessStartRequested && OperatingSystem.IsLinux() && SpawnedCommandProcess.IsSupported)
            return SpawnedCommandProcess.Start(command, workingDirectory, environment, openStandardInput);
        return ProcessStartCommandProcess.Start(command, workingDirectory, environment, openStandardInput);
    }

    /// <summary>How .NET reads a redirected stream: UTF-8 unless a byte order mark says otherwise.</summary>
    protected static StreamReader Reader(Stream stream) => new(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), detectEncodingFromByteOrderMarks: true, bufferSize: 4096);
}

/// <summary>bash could not be started at all; the message says why.</summary>
internal sealed class CommandStartException(string message) : Exception(message);
