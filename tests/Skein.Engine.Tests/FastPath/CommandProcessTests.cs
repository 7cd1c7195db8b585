using System.Diagnostics;

namespace Skein.Engine.Tests.FastPath;

/// <summary>
/// What a command task promises however it is started (posix_spawn on Linux, or Process and setsid): bash, its own
/// process group, a clean signal state, end of file on stdin, its output in the log.
/// </summary>
public class CommandProcessTests
{
    private static Job Command(bool processStart, string command, TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? environment = null, string? directory = null) =>
        new Job("cmd").Add(new TaskSpec
        {
            Id = "c",
            Timeout = timeout,
            Action = new CommandAction(command)
            {
                Environment = environment ?? new Dictionary<string, string>(),
                WorkingDirectory = directory,
                KillGrace = TimeSpan.FromMilliseconds(500),
                UseProcessStart = processStart,
            },
        });

    private static async Task<TaskResult> RunAsync(Job job, RunOptions? options = null) => (await FastPathRuns.ByIdAsync(job, options))["c"];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Runs_in_bash_with_the_task_variables_and_its_own_environment(bool processStart)
    {
        var env = new Dictionary<string, string> { ["GREETING"] = "hi there" };
        var result = (await FastPathRuns.ByIdAsync(Command(processStart, "[[ -n $BASH_VERSION ]] && echo \"$SKEIN_TASK_ID $SKEIN_ATTEMPT $SKEIN_RUN_ID $GREETING\"", environment: env)))["c"];
        Assert.Equal(Outcome.Passed, result.Outcome);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("c 1 0 hi there", File.ReadAllText(result.LogPath!).Trim());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Runs_in_the_working_directory(bool processStart)
    {
        var directory = Directory.CreateTempSubdirectory("skein-wd").FullName;
        var result = (await FastPathRuns.ByIdAsync(Command(processStart, "pwd -P", directory: directory)))["c"];
        Assert.Equal(new DirectoryInfo(directory).ResolveLinkTarget(true)?.FullName ?? directory, File.ReadAllText(result.LogPath!).Trim());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_missing_working_directory_is_an_error_not_a_failure(bool processStart)
    {
        var result = (await FastPathRuns.ByIdAsync(Command(processStart, "true", directory: "/nonexistent/skein")))["c"];
        Assert.Equal(Outcome.Errored, result.Outcome);
        Assert.Contains("does not exist", result.Reason);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Leads_its_own_process_group(bool processStart)
    {
        var result = (await FastPathRuns.ByIdAsync(Command(processStart, "echo $$ $(ps -o pgid= -p $$)")))["c"];
        var fields = File.ReadAllText(result.LogPath!).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(fields[0], fields[1]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Reads_end_of_file_on_standard_input(bool processStart)
    {
        var result = (await FastPathRuns.ByIdAsync(Command(processStart, "cat; echo after", timeout: TimeSpan.FromSeconds(10))))["c"];
        Assert.Equal(Outcome.Passed, result.Outcome);
        Assert.Equal("after", File.ReadAllText(result.LogPath!).Trim());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_silent_command_has_no_log(bool processStart)
    {
        var result = (await FastPathRuns.ByIdAsync(Command(processStart, "true")))["c"];
        Assert.Equal(Outcome.Passed, result.Outcome);
        Assert.Null(result.LogPath);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Both_streams_go_to_the_log_and_the_last_line_explains_a_failure(bool processStart)
    {
        var result = (await FastPathRuns.ByIdAsync(Command(processStart, "echo out; sleep 0.05; echo 'it broke' >&2; exit 4")))["c"];
        Assert.Equal(Outcome.Failed, result.Outcome);
        Assert.Equal(4, result.ExitCode);
        Assert.Equal("exit code 4: it broke", result.Reason);
        var log = File.ReadAllText(result.LogPath!);
        Assert.Contains("out", log);
        Assert.Contains("it broke", log);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_missing_program_is_an_error(bool processStart)
    {
        var result = (await FastPathRuns.ByIdAsync(Command(processStart, "definitely-not-a-program-skein")))["c"];
        Assert.Equal(Outcome.Errored, result.Outcome);
        Assert.Equal(127, result.ExitCode);
        Assert.StartsWith("command not found (exit code 127)", result.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_timeout_kills_the_whole_process_group(bool processStart)
    {
        var pidFile = Path.Combine(FastPathRuns.TempDir(), "pid");
        Directory.CreateDirectory(Path.GetDirectoryName(pidFile)!);
        var result = (await FastPathRuns.ByIdAsync(Command(processStart, $"sleep 300 & echo $! > {FastPathRuns.Quote(pidFile)}; wait", timeout: TimeSpan.FromMilliseconds(500))))["c"];
        Assert.Equal(Outcome.TimedOut, result.Outcome);
        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(await GoneAsync(pid), $"the grandchild {pid} outlived its task's timeout");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Cancelling_the_run_stops_a_running_command(bool processStart)
    {
        var pidFile = Path.Combine(FastPathRuns.TempDir(), "pid");
        Directory.CreateDirectory(Path.GetDirectoryName(pidFile)!);
        await using var run = await JobRun.StartAsync(Command(processStart, $"echo $$ > {FastPathRuns.Quote(pidFile)}; sleep 300"), FastPathRuns.Options(), TestContext.Current.CancellationToken);
        var clock = Stopwatch.StartNew();
        while (!File.Exists(pidFile) || File.ReadAllText(pidFile).Trim().Length == 0)
        {
            Assert.True(clock.Elapsed < FastPathRuns.Patience, "the command never started");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
        run.Cancel();
        var results = new List<TaskResult>();
        await foreach (var e in run.ReadEventsAsync(TestContext.Current.CancellationToken)) if (e is TaskFinished f) results.Add(f.Result);
        Assert.Equal(Outcome.Cancelled, Assert.Single(results).Outcome);
        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(await GoneAsync(pid), $"bash {pid} outlived the cancelled run");
    }

    [Fact]
    public async Task A_spawned_command_starts_with_no_signal_ignored_or_blocked()
    {
        // The runtime ignores SIGPIPE in its own process, and Process.Start passes that on; posix_spawn resets every
        // signal, so `yes | head -n 1` ends quietly as it does in a terminal. bash execs a last simple command, so
        // grep reads the state bash was started with.
        var result = await RunAsync(Command(processStart: false, "yes | head -n 1; grep -E '^Sig(Ign|Blk):' /proc/self/status"));
        Assert.Equal(Outcome.Passed, result.Outcome);
        var lines = File.ReadAllLines(result.LogPath!);
        Assert.Equal(3, lines.Length);
        Assert.Equal("y", lines[0]);
        // Only the standard signals 1-31 count: glibc's posix_spawn leaves its own internal real-time signals (32, 33)
        // ignored, and every program linked with it installs its own handlers for them again.
        const ulong standardSignals = 0x7FFF_FFFF;
        Assert.All(lines[1..], line => Assert.Equal(0UL, ulong.Parse(line.Split('\t')[1], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture) & standardSignals));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Commands_running_side_by_side_inherit_none_of_each_others_pipes(bool processStart)
    {
        // Descriptors this test process already had (and did not mark close-on-exec) may reach any child; pipes
        // opened for other commands must not. ls (exec'd by bash) opens the directory itself as the lowest free number.
        var inherited = Directory.GetFileSystemEntries("/proc/self/fd").Select(Path.GetFileName).ToHashSet();
        var job = new Job("side-by-side");
        for (var i = 0; i < 8; i++)
            job.Add(new TaskSpec { Id = $"c{i}", Action = new CommandAction("sleep 0.2; exec ls /proc/self/fd") { UseProcessStart = processStart } });
        var results = await FastPathRuns.ByIdAsync(job, FastPathRuns.Options(workers: 8));
        foreach (var result in results.Values)
        {
            var fds = File.ReadAllLines(result.LogPath!).Select(int.Parse).Order().ToList();
            Assert.Equal([0, 1, 2], fds.Take(3));
            var extra = fds.Skip(3).Where(fd => !inherited.Contains(fd.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
            Assert.True(extra.Count <= 1, $"{result.TaskId} had descriptors {string.Join(",", fds)}; the test process had {string.Join(",", inherited)}");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Output_through_dev_stdout_and_a_large_amount_of_it_arrive(bool processStart)
    {
        var result = await RunAsync(Command(processStart, "echo via-dev-stdout > /dev/stdout; echo via-dev-stderr > /dev/stderr; for i in $(seq 1 20000); do echo \"line $i héllo ✓\"; done"));
        Assert.Equal(Outcome.Passed, result.Outcome);
        var lines = File.ReadAllLines(result.LogPath!);
        Assert.Equal(20_002, lines.Length);
        Assert.Contains("via-dev-stdout", lines);
        Assert.Contains("via-dev-stderr", lines);
        Assert.Contains("line 20000 héllo ✓", lines);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_command_ended_by_a_signal_reports_128_plus_the_signal(bool processStart)
    {
        var result = await RunAsync(Command(processStart, "kill -TERM $$"));
        Assert.Equal(Outcome.Failed, result.Outcome);
        Assert.Equal(143, result.ExitCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_grandchild_holding_the_output_open_does_not_hold_up_the_task(bool processStart)
    {
        var pidFile = Path.Combine(FastPathRuns.TempDir(), "pid");
        Directory.CreateDirectory(Path.GetDirectoryName(pidFile)!);
        // The grandchild sleeps far longer than the run is waited for: only a task that does not wait for it passes.
        var result = await RunAsync(Command(processStart, $"sleep 300 & echo $! > {FastPathRuns.Quote(pidFile)}; echo started"));
        Assert.Equal(Outcome.Passed, result.Outcome);
        Assert.Equal("started", File.ReadAllText(result.LogPath!).Trim());
        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(await GoneAsync(pid), $"the grandchild {pid} outlived its task");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Many_commands_at_once_each_get_their_own_output(bool processStart)
    {
        var job = new Job("many");
        for (var i = 0; i < 100; i++)
            job.Add(new TaskSpec { Id = $"c{i}", Action = new CommandAction($"echo $SKEIN_TASK_ID; exit {i % 3}") { UseProcessStart = processStart } });
        var results = await FastPathRuns.ByIdAsync(job, FastPathRuns.Options(workers: 8));
        for (var i = 0; i < 100; i++)
        {
            var result = results[$"c{i}"];
            Assert.Equal(i % 3, result.ExitCode);
            Assert.Equal($"c{i}", File.ReadAllText(result.LogPath!).Trim());
        }
    }

    private static async Task<bool> GoneAsync(int pid)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < FastPathRuns.Patience)
        {
            string stat;
            try
            {
                stat = await File.ReadAllTextAsync($"/proc/{pid}/stat");
            }
            catch (IOException)
            {
                return true;
            }
            // A killed child not yet reaped is a zombie: it runs nothing, so it counts as gone.
            var close = stat.LastIndexOf(')');
            if (close >= 0 && close + 2 < stat.Length && stat[close + 2] is 'Z' or 'X') return true;
            await Task.Delay(20);
        }
        return false;
    }
}
