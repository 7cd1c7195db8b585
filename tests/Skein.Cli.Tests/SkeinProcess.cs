using System.Diagnostics;
using System.Text;

namespace Skein.Cli.Tests;

/// <summary>Runs the real skein executable (the built skein.dll under dotnet) in a working directory.</summary>
internal sealed class SkeinProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<(string Pattern, TaskCompletionSource Seen)> _waiters = [];
    private readonly Lock _lock = new();

    private SkeinProcess(Process process) => _process = process;

    public static string SkeinDll => Path.Combine(AppContext.BaseDirectory, "skein.dll");

    public int Id => _process.Id;

    public string Stdout { get { lock (_lock) return _stdout.ToString(); } }
    public string Stderr { get { lock (_lock) return _stderr.ToString(); } }

    public static SkeinProcess Start(string workingDirectory, params string[] args) => Start(workingDirectory, null, args);

    /// <summary>Starts skein with <paramref name="input"/> (when given) written to its standard input, which is then closed.</summary>
    public static SkeinProcess Start(string workingDirectory, byte[]? input, params string[] args) => Start(workingDirectory, null, input, args);

    /// <summary>Starts skein with these variables added to (or replacing) the inherited environment.</summary>
    public static SkeinProcess Start(string workingDirectory, IReadOnlyDictionary<string, string>? environment, byte[]? input, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(SkeinDll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["CI"] = "true";
        start.Environment.Remove("SKEIN_STATE");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var skein = new SkeinProcess(process);
        process.OutputDataReceived += (_, e) => skein.OnLine(e.Data, skein._stdout);
        process.ErrorDataReceived += (_, e) => skein.OnLine(e.Data, skein._stderr);
        process.Exited += (_, _) => skein._exited.TrySetResult();
        process.Start();
        if (input is not null)
        {
            // Written in the background: a large input would otherwise fill the pipe before skein reads it.
            _ = Task.Run(() =>
            {
                try
                {
                    process.StandardInput.BaseStream.Write(input);
                    process.StandardInput.Close();
                }
                catch (IOException)
                {
                    // skein exited without reading it all; its exit code and output say why
                }
            });
        }
        else
        {
            process.StandardInput.Close();
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return skein;
    }

    /// <summary>Runs skein to completion and returns its exit code and output.</summary>
    public static Task<SkeinResult> RunAsync(string workingDirectory, params string[] args) => RunAsync(workingDirectory, null, args);

    /// <summary>Runs skein to completion with <paramref name="input"/> on its standard input.</summary>
    public static async Task<SkeinResult> RunAsync(string workingDirectory, byte[]? input, params string[] args)
    {
        await using var skein = Start(workingDirectory, input, args);
        var code = await skein.WaitForExitAsync(TestPatience.Ceiling);
        return new SkeinResult(code, skein.Stdout, skein.Stderr);
    }

    /// <summary>Completes when a line containing the text appears on stdout or stderr.</summary>
    public Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        lock (_lock)
        {
            if (_stdout.ToString().Contains(text, StringComparison.Ordinal) || _stderr.ToString().Contains(text, StringComparison.Ordinal))
                return Task.CompletedTask;
            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((text, seen));
            return seen.Task.WaitAsync(timeout);
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _exited.Task.WaitAsync(timeout);
        await _process.WaitForExitAsync(); // drains the redirected output
        return _process.ExitCode;
    }

    public void Signal(int signal) => Posix.Kill(_process.Id, signal);

    public bool HasExited => _exited.Task.IsCompleted;

    private void OnLine(string? line, StringBuilder into)
    {
        if (line is null) return;
        lock (_lock)
        {
            into.AppendLine(line);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (!line.Contains(_waiters[i].Pattern, StringComparison.Ordinal)) continue;
                _waiters[i].Seen.TrySetResult();
                _waiters.RemoveAt(i);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}

internal sealed record SkeinResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}
