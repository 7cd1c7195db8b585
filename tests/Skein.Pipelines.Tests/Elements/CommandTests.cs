using System.Globalization;
using Skein.Pipelines.Elements;

namespace Skein.Pipelines.Tests.Elements;

public sealed class CommandTests : IDisposable
{
    private readonly ElementRun _run = new();

    public void Dispose() => _run.Dispose();

    [Fact]
    public async Task Arguments_reach_the_program_as_they_are_without_a_shell()
    {
        var command = await _run.RunAsync(new Command("printf", "[%s]", "two words", "$HOME", "*", "a;b"));

        Assert.Equal("[two words][$HOME][*][a;b]", command.Stdout);
        Assert.Equal("", command.Stderr);
        Assert.Equal(0, command.ExitCode);
    }

    [Fact]
    public async Task A_shell_runs_only_when_asked_for()
    {
        var command = await _run.RunAsync(Command.Shell("echo out; echo err >&2; echo piped | tr a-z A-Z"));

        Assert.Equal("out\nPIPED\n", command.Stdout);
        Assert.Equal("err\n", command.Stderr);
    }

    [Fact]
    public async Task A_non_zero_exit_fails_the_element_with_the_code_and_what_it_wrote_to_stderr()
    {
        var failure = await _run.FailsAsync(Command.Shell("echo 'no such input' >&2; exit 3"));

        Assert.Contains("exited with 3", failure.Message, StringComparison.Ordinal);
        Assert.Contains("no such input", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_allowed_exit_code_is_an_output_not_a_failure()
    {
        var command = await _run.RunAsync(new Command("sh", "-c", "echo partial; exit 3") { AllowedExitCodes = [0, 3] });

        Assert.Equal(3, command.ExitCode);
        Assert.Equal("partial\n", command.Stdout);
    }

    [Fact]
    public async Task A_signal_ends_the_program_with_128_plus_its_number()
    {
        var command = await _run.RunAsync(new Command("sh", "-c", "kill -TERM $$") { AllowedExitCodes = [143] });

        Assert.Equal(128 + 15, command.ExitCode);
    }

    [Fact]
    public async Task Variables_are_added_replaced_and_removed()
    {
        Environment.SetEnvironmentVariable("SKEIN_ELEMENTS_INHERITED", "inherited");
        var command = await _run.RunAsync(new Command("env")
        {
            Environment = { ["SKEIN_ELEMENTS_ADDED"] = "added value", ["SKEIN_ELEMENTS_INHERITED"] = null },
        });

        var lines = command.Stdout.Split('\n');
        Assert.Contains("SKEIN_ELEMENTS_ADDED=added value", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("SKEIN_ELEMENTS_INHERITED=", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("PATH=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_program_runs_in_the_invocations_directory_unless_told_otherwise()
    {
        Directory.CreateDirectory(Path.Combine(_run.Directory, "sub"));

        var fresh = await _run.RunAsync(new Command("pwd"));
        var relative = await _run.RunAsync(new Command("pwd") { WorkingDirectory = "sub" });

        Assert.Equal(_run.Directory, fresh.Stdout.TrimEnd('\n'));
        Assert.Equal(Path.Combine(_run.Directory, "sub"), relative.Stdout.TrimEnd('\n'));
    }

    [Fact]
    public async Task A_program_named_by_a_relative_path_is_found_from_the_working_directory()
    {
        var script = Path.Combine(_run.Directory, "hello.sh");
        await File.WriteAllTextAsync(script, "#!/bin/sh\necho hello from $0\n", ElementRun.Ct);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var command = await _run.RunAsync(new Command("./hello.sh"));

        Assert.Equal($"hello from {script}\n", command.Stdout);
    }

    [Fact]
    public async Task A_program_that_is_not_there_fails_naming_it()
    {
        var missing = await _run.FailsAsync(new Command("skein-no-such-program", "x"));
        var missingPath = await _run.FailsAsync(new Command("./not-here"));
        var missingDirectory = await _run.FailsAsync(new Command("true") { WorkingDirectory = "nowhere" });

        Assert.Contains("'skein-no-such-program' was not found on PATH", missing.Message, StringComparison.Ordinal);
        Assert.Contains("'./not-here' does not exist", missingPath.Message, StringComparison.Ordinal);
        Assert.Contains("nowhere does not exist", missingDirectory.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Peak_memory_is_the_programs_own_not_the_spawners()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "the peak memory of a child is read with wait4 on Linux");
        // 256 MiB written, so resident. Above this test host's own peak, wait4's figure is exact; below it (a host that
        // grew past 256 MiB), the element reads the program's VmHWM while it runs, so the program keeps its memory for
        // a second, as any workload worth measuring runs longer than the first reads.
        var large = await _run.RunAsync(new Command("/usr/bin/python3", "-c",
            "import time; b = b'x' * (256 * 1024 * 1024); time.sleep(1); print(len(b))"));
        // A small program is charged this host's memory by the kernel; its own peak is a few MiB.
        var small = await _run.RunAsync(new Command("sleep", "0.1"));

        Assert.Equal("268435456\n", large.Stdout);
        Assert.InRange(large.MaxRss, 256L * 1024 * 1024, 4L * 1024 * 1024 * 1024);
        Assert.InRange(small.MaxRss, 1, 16L * 1024 * 1024);
        Assert.True(large.UserTime + large.SystemTime > 0, "the CPU time of a program that wrote 256 MiB");
    }

    [Fact]
    public async Task Wall_time_comes_from_the_clock_it_is_given()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        clock.AutoAdvanceAmount = TimeSpan.FromSeconds(1.5);

        var command = await _run.RunAsync(new Command("true") { Clock = clock });

        Assert.Equal(1.5, command.WallTime);
        Assert.Contains("true: exit 0, 1.5 s", _run.Log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Output_beyond_the_limit_fails_the_element_after_the_program_ends()
    {
        var failure = await _run.FailsAsync(new Command("printf", "0123456789abcdef") { MaxOutputBytes = 10 });

        Assert.Contains("wrote 16 bytes to stdout, more than MaxOutputBytes (10)", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task What_the_program_leaves_running_in_its_group_does_not_hold_the_element()
    {
        // The background sleep keeps the pipes open; the element ends it with the program.
        var command = await _run.RunAsync(Command.Shell("sleep 300 & echo $! > sleeper.pid; echo started"));

        Assert.Equal("started\n", command.Stdout);
        await GoneAsync(int.Parse(await File.ReadAllTextAsync(Path.Combine(_run.Directory, "sleeper.pid"), ElementRun.Ct), CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Cancellation_kills_the_whole_process_group()
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ElementRun.Ct);
        var pidFile = Path.Combine(_run.Directory, "child.pid");
        var command = new Command("sh", "-c", "sleep 300 & echo $! > child.pid.tmp; mv child.pid.tmp child.pid; wait");
        var running = _run.RunUntilAsync(command, cancel.Token);

        await WaitForAsync(() => File.Exists(pidFile), "the command to start its child");
        var child = int.Parse(await File.ReadAllTextAsync(pidFile, ElementRun.Ct), CultureInfo.InvariantCulture);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        await GoneAsync(child);
    }

    /// <summary>Waits until the process is gone (or a zombie, killed and waiting for its reaper).</summary>
    private static Task GoneAsync(int pid) => WaitForAsync(() =>
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return true;
        }
    }, $"process {pid} to end");

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TestPatience.Ceiling;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"gave up waiting for {what} after {TestPatience.Ceiling}");
            await Task.Delay(20, ElementRun.Ct);
        }
    }
}
