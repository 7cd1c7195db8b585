using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading.Channels;

namespace Skein.Bench.Modules.Cluster;

/// <summary>
/// One <c>skein</c> process (a coordinator or a node) started by the bench. Its output is drained so it never blocks
/// on a full pipe; the last lines are kept to explain a failure. Stopping sends SIGTERM, as an operator's Ctrl+C
/// would, and kills the process only if it does not leave in time.
/// </summary>
internal sealed partial class SkeinProcess : IAsyncDisposable
{
    private const int SigTerm = 15;
    private const int KeptLines = 40;
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    // Every process still running, so that an exit the program does not get to clean up after (an unhandled
    // exception, Environment.Exit) still ends them.
    private static readonly ConcurrentDictionary<int, Process> Running = new();

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lastLines = new();
    private readonly bool _echo;
    // Every stdout line, for WaitForLineAsync; one reader drains the pipe from the start so the process never blocks on it.
    private readonly Channel<string> _stdout = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleWriter = true });
    private int _stopped;

    static SkeinProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();

    private SkeinProcess(string name, Process process, bool echo)
    {
        Name = name;
        _process = process;
        _echo = echo;
    }

    public string Name { get; }

    public int ProcessId => _process.Id;

    /// <summary>Starts <paramref name="executable"/> with <paramref name="arguments"/>, its stdin a pipe that stays open while the bench runs.</summary>
    /// <param name="echo">Copy everything it prints to the bench's stderr.</param>
    public static SkeinProcess Start(string name, string executable, IReadOnlyList<string> arguments, bool echo)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}");
        var started = new SkeinProcess(name, process, echo);
        Running[process.Id] = process;
        process.ErrorDataReceived += (_, e) => started.Keep(e.Data);
        process.BeginErrorReadLine();
        _ = started.DrainAsync();
        return started;
    }

    /// <summary>Waits for a stdout line starting with <paramref name="prefix"/> and returns it; earlier lines are skipped.</summary>
    public async Task<string> WaitForLineAsync(string prefix, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            while (await _stdout.Reader.WaitToReadAsync(limit.Token).ConfigureAwait(false))
            {
                while (_stdout.Reader.TryRead(out var line))
                {
                    if (line.StartsWith(prefix, StringComparison.Ordinal)) return line;
                }
            }
            await _process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode} before printing '{prefix}…'{LastLines()}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{Name} did not print '{prefix}…' within {timeout.TotalSeconds:0} s{LastLines()}");
        }
    }

    private async Task DrainAsync()
    {
        try
        {
            while (await _process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                Keep(line);
                _stdout.Writer.TryWrite(line);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The process was stopped and its pipe closed under the reader.
        }
        finally
        {
            _stdout.Writer.TryComplete();
        }
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        if (_echo) Console.Error.WriteLine($"[{Name}] {line}");
        _lastLines.Enqueue(line);
        while (_lastLines.Count > KeptLines) _lastLines.TryDequeue(out _);
    }

    /// <summary>Its last lines of output, for an error message.</summary>
    public string LastLines() => _lastLines.IsEmpty ? "" : $"; its last output:{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", _lastLines);

    /// <summary>SIGTERM, then up to 10 s for it to leave; killed (with anything it started) after that.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        try
        {
            if (!_process.HasExited) _ = kill(_process.Id, SigTerm);
            using var timeout = new CancellationTokenSource(StopTimeout);
            try
            {
                await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine($"{Name} (process {_process.Id}) did not stop within {StopTimeout.TotalSeconds:0} s of SIGTERM; killing it");
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            Running.TryRemove(_process.Id, out _);
            _process.Dispose();
        }
    }

    private static void KillAll()
    {
        foreach (var (_, process) in Running)
        {
            try
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
            }
            catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Already gone.
            }
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);
}
