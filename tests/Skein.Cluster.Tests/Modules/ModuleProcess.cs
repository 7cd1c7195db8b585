using System.Collections.Concurrent;
using System.Diagnostics;
using Skein.Modules.Stdio;

namespace Skein.Cluster.Tests.Modules;

/// <summary>
/// A module started as a real child process with the protocol on its stdin and stdout, as the process loader
/// will start it; its stderr is kept for the failure messages of the tests.
/// </summary>
internal sealed class ModuleProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> stderr = new();

    private ModuleProcess(Process process)
    {
        this.process = process;
        Writer = new StdioFrameWriter(process.StandardInput.BaseStream);
        Reader = new StdioFrameReader(process.StandardOutput.BaseStream);
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) stderr.Enqueue(e.Data); };
        process.BeginErrorReadLine();
    }

    public StdioFrameWriter Writer { get; }

    public StdioFrameReader Reader { get; }

    public Process Process => process;

    public string Stderr => string.Join('\n', stderr);

    /// <summary>The first python3 on the PATH, or null.</summary>
    public static string? FindPython()
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, "python3");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>The repository's root, found from the test's output folder, so the test runs the example as checked in.</summary>
    public static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Skein.sln"))) return folder.FullName;
        }
        throw new InvalidOperationException($"no Skein.sln above {AppContext.BaseDirectory}");
    }

    public static ModuleProcess Start(string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment = { ["SKEIN_MODULE_PROTOCOL"] = "1" },
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        return new ModuleProcess(Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}"));
    }

    /// <summary>The preamble and welcome, then the module's preamble and hello.</summary>
    public async Task<StdioFrameHeader> HandshakeAsync(string moduleName, CancellationToken cancellationToken)
    {
        await Writer.WritePreambleAsync(cancellationToken);
        await Writer.WriteFrameAsync(new StdioFrame(new StdioFrameHeader { Kind = StdioFrameKind.Welcome, Module = moduleName, Id = "test-1", Args = [], }), cancellationToken);
        var hello = await ReadAsync(cancellationToken);
        Assert.Equal(StdioFrameKind.Hello, hello.Kind);
        return hello.Header;
    }

    /// <summary>The next frame, which must come within 15 s (python's start-up on a busy machine included).</summary>
    public async Task<StdioFrame> ReadAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TestPatience.Ceiling);
        try
        {
            return await Reader.ReadFrameAsync(timeout.Token) ?? throw new InvalidOperationException($"the module closed its stdout; stderr:\n{Stderr}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no frame from the module within 15 s; stderr:\n{Stderr}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            try { process.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { } // it exited meanwhile
            await process.WaitForExitAsync(CancellationToken.None);
        }
        process.Dispose();
    }
}
