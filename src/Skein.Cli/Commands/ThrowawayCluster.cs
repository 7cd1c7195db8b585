using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Skein.Cli.Commands;

/// <summary>
/// <c>skein run --nodes N</c>'s cluster: <c>skein up</c> as a child process — a coordinator and N nodes — in a
/// temporary state directory, for one run. Disposing it stops every process and removes the directory; if this
/// process dies instead, the child sees its standard input close and stops itself.
/// </summary>
internal sealed partial class ThrowawayCluster : IAsyncDisposable
{
    // Above skein up's own start ceiling, so that it is skein up that says which node did not come.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);
    private const int KeptOutputChars = 64 * 1024;

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly bool _keepState;
    private StreamWriter? _log;

    private ThrowawayCluster(Process process, string stateDirectory, bool keepState)
    {
        _process = process;
        StateDirectory = stateDirectory;
        _keepState = keepState;
    }

    /// <summary>How to start one: the node count, and for <c>skein test</c> a state directory kept after it, more <c>skein up</c> options, and a log of its output.</summary>
    internal sealed record Settings(int Nodes)
    {
        /// <summary>Where the cluster keeps its state (journal, logs, token); kept when it stops. Null: a temporary directory, removed.</summary>
        public string? StateDirectory { get; init; }

        /// <summary>More <c>skein up</c> arguments (<c>--labels</c>, <c>--module</c>).</summary>
        public IReadOnlyList<string> Arguments { get; init; } = [];

        /// <summary>A file that gets every line the coordinator and its nodes print. Null: none.</summary>
        public string? LogPath { get; init; }
    }

    public string StateDirectory { get; }

    public string Address { get; private set; } = "";

    public string TokenPath => Path.Combine(StateDirectory, Skein.Cluster.Addressing.ClusterToken.FileName);

    /// <summary>Starts the cluster and returns once every node has joined.</summary>
    /// <exception cref="ClusterStartException">It did not come up; the message holds what skein up said.</exception>
    public static Task<ThrowawayCluster> StartAsync(int nodes, CancellationToken cancellationToken) =>
        StartAsync(new Settings(nodes), cancellationToken);

    /// <summary>Starts the cluster and returns once every node has joined.</summary>
    /// <exception cref="ClusterStartException">It did not come up; the message holds what skein up said.</exception>
    public static async Task<ThrowawayCluster> StartAsync(Settings settings, CancellationToken cancellationToken)
    {
        var keepState = settings.StateDirectory is not null;
        var state = keepState ? Path.GetFullPath(settings.StateDirectory!) : Directory.CreateTempSubdirectory("skein-run-").FullName;
        Directory.CreateDirectory(state);
        var start = UpCommand.SelfStart(["up", "--nodes", settings.Nodes.ToString(CultureInfo.InvariantCulture), "--state", state, "--listen", "127.0.0.1:0", "--stop-with-parent", .. settings.Arguments]);
        // The throwaway cluster is this run's alone: no cluster or state of the caller's leaks into it.
        start.Environment.Remove(ClusterConnection.ClusterVariable);
        start.Environment.Remove(ClusterConnection.TokenVariable);
        start.Environment.Remove(CommonOptions.StateVariable);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var cluster = new ThrowawayCluster(process, state, keepState);
        if (settings.LogPath is { } logPath)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logPath))!);
            cluster._log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        }
        var up = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Collect(object? sender, DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            if (UpLine().Match(e.Data) is { Success: true } match) up.TrySetResult(match.Groups[1].Value);
            lock (cluster._output)
            {
                if (cluster._output.Length < KeptOutputChars) cluster._output.AppendLine(e.Data);
                cluster._log?.WriteLine(e.Data);
            }
        }
        process.OutputDataReceived += Collect;
        process.ErrorDataReceived += Collect;
        try
        {
            process.Start(); // its standard input stays open while this process lives: see --stop-with-parent
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StartTimeout);
            var exited = process.WaitForExitAsync(timeout.Token);
            if (await Task.WhenAny(up.Task, exited).ConfigureAwait(false) != up.Task)
            {
                await exited.ConfigureAwait(false); // throws when cancelled or timed out
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false); // its last lines
                throw new ClusterStartException($"the local cluster for this run did not start (skein up exited with code {process.ExitCode}):\n{cluster.Output.TrimEnd()}");
            }
            cluster.Address = await up.Task.ConfigureAwait(false);
            return cluster;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw new ClusterStartException($"the local cluster for this run did not start within {StartTimeout.TotalMinutes:0} min:\n{cluster.Output.TrimEnd()}");
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>Stops the coordinator and its nodes (SIGTERM, then a kill after a grace) and removes the state directory.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!HasExited()) Posix.Signal(_process.Id, Posix.SigTerm);
            using var grace = new CancellationTokenSource(StopTimeout);
            try
            {
                await _process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException)
        {
            // never started
        }
        finally
        {
            _process.Dispose();
            lock (_output)
            {
                _log?.Dispose();
                _log = null;
            }
            if (!_keepState) RemoveState();
        }
    }

    private void RemoveState()
    {
        try
        {
            Directory.Delete(StateDirectory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A temporary directory left behind is the system's to clean.
        }
    }

    private bool HasExited()
    {
        try
        {
            return _process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    [GeneratedRegex(@"^cluster up at (\S+) with")]
    private static partial Regex UpLine();
}

/// <summary>The throwaway cluster of <c>skein run --nodes</c> did not come up: not bad input, exit 1.</summary>
internal sealed class ClusterStartException(string message) : Exception(message);
