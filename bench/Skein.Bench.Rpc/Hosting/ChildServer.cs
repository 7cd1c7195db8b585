using System.Diagnostics;

namespace Skein.Bench.Rpc.Hosting;

/// <summary>
/// A server run by this same program in a child process (<see cref="ServeCommand"/>), so caller and server share
/// nothing but loopback. The child prints a "ready" line when it serves, and stops when its stdin closes — which also
/// happens when this process dies, so a crashed benchmark leaves no server behind.
/// </summary>
internal sealed class ChildServer : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly string _name;
    private readonly Process _process;
    private Task _stdout = Task.CompletedTask;
    private int _disposed;
    private readonly SemaphoreSlim _query = new(1, 1);

    private ChildServer(string name, Process process)
    {
        _name = name;
        _process = process;
    }

    /// <summary>What the child printed after "ready" (the gRPC server's address, for one).</summary>
    public string ReadyDetail { get; private set; } = "";

    public int ProcessId => _process.Id;

    /// <param name="environment">Variables set for the child on top of this process's own.</param>
    public static async Task<ChildServer> StartAsync(string name, IReadOnlyList<string> arguments, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which program this is, to start it again as a server");
        start.FileName = self;
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            start.ArgumentList.Add(typeof(ChildServer).Assembly.Location); // started as `dotnet Skein.Bench.Rpc.dll`
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start the {name} server");
        var child = new ChildServer(name, process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) Console.Error.WriteLine($"[{name} server] {e.Data}");
        };
        process.BeginErrorReadLine();
        try
        {
            await child.WaitUntilReadyAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await child.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return child;
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReadyTimeout);
        try
        {
            while (true)
            {
                var line = await _process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false);
                if (line is null)
                {
                    await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                    throw new InvalidOperationException($"the {_name} server exited with code {_process.ExitCode} before it was ready");
                }
                if (line.StartsWith(ServeCommand.ReadyLine, StringComparison.Ordinal))
                {
                    ReadyDetail = line[ServeCommand.ReadyLine.Length..].Trim();
                    break;
                }
                Console.Error.WriteLine($"[{_name} server] {line}");
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the {_name} server was not ready after {ReadyTimeout.TotalSeconds:0} s");
        }
        _stdout = ForwardStdoutAsync();
    }

    private async Task ForwardStdoutAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (Volatile.Read(ref _question) is { } question && line.StartsWith(question.Prefix, StringComparison.Ordinal) && question.Answer.TrySetResult(line)) continue;
            Console.Error.WriteLine($"[{_name} server] {line}");
        }
        Volatile.Read(ref _question)?.Answer.TrySetException(new InvalidOperationException($"the {_name} server closed its stdout"));
    }

    // The question asked of the child (AskAsync) and how its answer line starts; one at a time (_query).
    private Question? _question;

    private sealed record Question(TaskCompletionSource<string> Answer, string Prefix);

    /// <summary>The bytes the child has allocated so far (<see cref="AllocationQueries"/>).</summary>
    public async Task<long> AllocatedBytesAsync(CancellationToken cancellationToken)
    {
        var line = await AskAsync(AllocationQueries.Query, AllocationQueries.Answer + " ", cancellationToken).ConfigureAwait(false);
        return AllocationQueries.Parse(line) ?? throw new InvalidOperationException($"the {_name} server answered '{line}' to '{AllocationQueries.Query}'");
    }

    /// <summary>Writes <paramref name="command"/> to the child's stdin and returns the first line it prints that starts with <paramref name="answerPrefix"/>.</summary>
    public async Task<string> AskAsync(string command, string answerPrefix, CancellationToken cancellationToken)
    {
        await _query.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var answer = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _question, new Question(answer, answerPrefix));
            await _process.StandardInput.WriteLineAsync(command.AsMemory(), cancellationToken).ConfigureAwait(false);
            await _process.StandardInput.FlushAsync(cancellationToken).ConfigureAwait(false);
            return await answer.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _question, null);
            _query.Release();
        }
    }

    /// <summary>Closes the child's stdin and waits for it to stop; kills it (and anything it started) if it does not.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // It already exited: the pipe has no reader.
        }
        using (var timeout = new CancellationTokenSource(StopTimeout))
        {
            try
            {
                await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine($"the {_name} server (process {_process.Id}) did not stop within {StopTimeout.TotalSeconds:0} s of its stdin closing; killing it");
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        await _stdout.ConfigureAwait(false);
        _process.Dispose();
    }
}
