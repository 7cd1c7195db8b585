using System.Diagnostics;

namespace Skein.Cli.Tests;

/// <summary>The state directory: task log names, a state directory skein cannot use, a journal it may only read.</summary>
public class StateDirectoryTests
{
    [Fact]
    public async Task Task_ids_that_sanitise_alike_keep_their_own_logs()
    {
        using var dir = new TempDirectory();
        var state = dir.File("state");
        dir.Write("job.yaml", """
            name: names
            tasks:
              "a/b": { run: "echo slash" }
              "a_b": { run: "echo underscore" }
              "a b": { run: "echo space" }
              "тест": { run: "echo test" }
              "мост": { run: "echo bridge" }
            """);

        var run = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--state", state, "--plain");
        Assert.True(run.ExitCode == 0, run.ToString());

        Assert.Equal(5, Directory.GetFiles(Path.Combine(state, "logs", "1")).Length);
        foreach (var (task, output) in new[] { ("a/b", "slash"), ("a_b", "underscore"), ("a b", "space"), ("тест", "test"), ("мост", "bridge") })
        {
            var logs = await SkeinProcess.RunAsync(dir.Path, "logs", "latest", task, "--state", state);
            Assert.True(logs.ExitCode == 0, logs.ToString());
            Assert.Equal(output, logs.Stdout.Trim());
        }
    }

    [Fact]
    public async Task A_file_named_logs_in_the_state_directory_is_one_clear_error_before_anything_runs()
    {
        using var dir = new TempDirectory();
        var state = dir.File("state");
        Directory.CreateDirectory(state);
        File.WriteAllText(Path.Combine(state, "logs"), "not a directory");
        dir.Write("job.yaml", "name: blocked\ntasks:\n  a: { run: \"touch ran\" }\n  b: { run: \"touch ran\" }\n");

        var result = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--state", state, "--plain");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains($"{Path.Combine(state, "logs")} is a file, not a directory", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
        Assert.DoesNotContain("Exception", result.Stderr + result.Stdout);
        Assert.False(File.Exists(dir.File("ran")));
    }

    /// <summary>
    /// As root, permission bits stop no write, so a chmod proves nothing: the readers then run as 'nobody' through
    /// setpriv(1), for whom the journal and its directory really are read-only. Either way the test also checks that
    /// reading left the state directory exactly as it was.
    /// </summary>
    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Runs_show_and_logs_read_a_journal_they_cannot_write()
    {
        var asRoot = Posix.EffectiveUserId == 0;
        var setpriv = new[] { "/usr/bin/setpriv", "/bin/setpriv" }.FirstOrDefault(File.Exists);
        Assert.SkipWhen(asRoot && setpriv is null, "running as root without setpriv(1): no way to make the journal read-only to the reader");

        using var dir = new TempDirectory();
        var state = dir.File("state");
        dir.Write("job.yaml", "name: frozen\ntasks:\n  hello: { run: \"echo hello from the task\" }\n");
        var run = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--state", state, "--plain");
        Assert.True(run.ExitCode == 0, run.ToString());

        // Read-only for everyone, but readable and searchable by everyone (the reader may be 'nobody').
        foreach (var directory in Directory.GetDirectories(state, "*", SearchOption.AllDirectories).Append(state))
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        foreach (var file in Directory.GetFiles(state, "*", SearchOption.AllDirectories))
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var before = Snapshot(state);
        try
        {
            foreach (var args in new[] { new[] { "runs" }, ["show", "latest"], ["logs", "latest", "hello"] })
            {
                var result = await RunReaderAsync(dir.Path, asRoot ? setpriv : null, [.. args, "--state", state]);
                Assert.True(result.ExitCode == 0, $"skein {string.Join(' ', args)}: {result}");
                Assert.Contains(args[0] == "logs" ? "hello from the task" : "frozen", result.Stdout);
            }
            Assert.Equal(before, Snapshot(state));
        }
        finally
        {
            foreach (var directory in Directory.GetDirectories(state, "*", SearchOption.AllDirectories).Append(state))
                File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>Every file under the directory with its size and modification time.</summary>
    private static string Snapshot(string directory) => string.Join("\n",
        Directory.GetFileSystemEntries(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(path => new FileInfo(path) is { Exists: true } file ? $"{path} {file.Length} {file.LastWriteTimeUtc:O}" : path));

    /// <summary>skein as this user, or (as root) as 'nobody' through setpriv.</summary>
    private static async Task<SkeinResult> RunReaderAsync(string workingDirectory, string? setpriv, string[] args)
    {
        if (setpriv is null) return await SkeinProcess.RunAsync(workingDirectory, args);
        var start = new ProcessStartInfo(setpriv)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["--reuid=65534", "--regid=65534", "--clear-groups", "--", "dotnet", SkeinProcess.SkeinDll, .. args]) start.ArgumentList.Add(arg);
        start.Environment["CI"] = "true";
        start.Environment["HOME"] = Path.GetTempPath();
        start.Environment.Remove("SKEIN_STATE");
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TestPatience.Ceiling);
        return new SkeinResult(process.ExitCode, stdout, await stderr);
    }
}
