using System.Diagnostics;

namespace Skein.Engine.Tests.FastPath;

/// <summary>What a command task promises however it is started: bash, its own process group, its output in the log.</summary>
public class CommandProcessTests
{
    private static Job Command(string command, TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? environment = null, string? directory = null) =>
        new Job("cmd").Add(new TaskSpec
        {
            Id = "c",
            Timeout = timeout,
            Action = new CommandAction(command)
            {
                Environment = environment ?? new Dictionary<string, string>(),
                WorkingDirectory = directory,
                KillGrace = TimeSpan.FromMilliseconds(500),
            },
        });

    [Fact]
    public async Task Runs_in_bash_with_the_task_variables_and_its_own_environment()
    {
        var env = new Dictionary<string, string> { ["GREETING"] = "hi there" };
        var result = (await FastPathRuns.ByIdAsync(Command("[[ -n $BASH_VERSION ]] && echo \"$SKEIN_TASK_ID $SKEIN_ATTEMPT $SKEIN_RUN_ID $GREETING\"", environment: env)))["c"];
        Assert.Equal(Outcome.Passed, result.Outcome);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("c 1 0 hi there", File.ReadAllText(result.LogPath!).Trim());
    }

    [Fact]
    public async Task Runs_in_the_working_directory()
    {
        var directory = Directory.CreateTempSubdirectory("skein-wd").FullName;
        var result = (await FastPathRuns.ByIdAsync(Command("pwd -P", directory: directory)))["c"];
        Assert.Equal(new DirectoryInfo(directory).ResolveLinkTarget(true)?.FullName ?? directory, File.ReadAllText(result.LogPath!).Trim());
    }

    [Fact]
    public async Task A_missing_working_directory_is_an_error_not_a_failure()
    {
        var result = (await FastPathRuns.ByIdAsync(Command("true", directory: "/nonexistent/skein")))["c"];
        Assert.Equal(Outcome.Errored, result.Outcome);
        Assert.Contains("does not exist", result.Reason);
    }

    [Fact]
    public async Task Leads_its_own_process_group()
    {
        var result = (await FastPathRuns.ByIdAsync(Command("echo $$ $(ps -o pgid= -p $$)")))["c"];
        var fields = File.ReadAllText(result.LogPath!).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(fields[0], fields[1]);
    }

    [Fact]
    public async Task Reads_end_of_file_on_standard_input()
    {
        var result = (await FastPathRuns.ByIdAsync(Command("cat; echo after", timeout: TimeSpan.FromSeconds(10))))["c"];
        Assert.Equal(Outcome.Passed, result.Outcome);
        Assert.Equal("after", File.ReadAllText(result.LogPath!).Trim());
    }

    [Fact]
    public async Task A_silent_command_has_no_log()
    {
        var result = (await FastPathRuns.ByIdAsync(Command("true")))["c"];
        Assert.Equal(Outcome.Passed, result.Outcome);
        Assert.Null(result.LogPath);
    }

    [Fact]
    public async Task Both_streams_go_to_the_log_and_the_last_line_explains_a_failure()
    {
        var result = (await FastPathRuns.ByIdAsync(Command("echo out; sleep 0.05; echo 'it broke' >&2; exit 4")))["c"];
        Assert.Equal(Outcome.Failed, result.Outcome);
        Assert.Equal(4, result.ExitCode);
        Assert.Equal("exit code 4: it broke", result.Reason);
        var log = File.ReadAllText(result.LogPath!);
        Assert.Contains("out", log);
        Assert.Contains("it broke", log);
    }

    [Fact]
    public async Task A_missing_program_is_an_error()
    {
        var result = (await FastPathRuns.ByIdAsync(Command("definitely-not-a-program-skein")))["c"];
        Assert.Equal(Outcome.Errored, result.Outcome);
        Assert.Equal(127, result.ExitCode);
        Assert.StartsWith("command not found (exit code 127)", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_timeout_kills_the_whole_process_group()
    {
        var pidFile = Path.Combine(FastPathRuns.TempDir(), "pid");
        Directory.CreateDirectory(Path.GetDirectoryName(pidFile)!);
        var result = (await FastPathRuns.ByIdAsync(Command($"sleep 300 & echo $! > {FastPathRuns.Quote(pidFile)}; wait", timeout: TimeSpan.FromMilliseconds(500))))["c"];
        Assert.Equal(Outcome.TimedOut, result.Outcome);
        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(await GoneAsync(pid), $"the grandchild {pid} outlived its task's timeout");
    }

    [Fact]
    public async Task Cancelling_the_run_stops_a_running_command()
    {
        var pidFile = Path.Combine(FastPathRuns.TempDir(), "pid");
        Directory.CreateDirectory(Path.GetDirectoryName(pidFile)!);
        await using var run = await JobRun.StartAsync(Command($"echo $$ > {FastPathRuns.Quote(pidFile)}; sleep 300"), FastPathRuns.Options(), TestContext.Current.CancellationToken);
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

    private static async Task<bool> GoneAsync(int pid)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
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
