using Skein.Engine.Tests.Support;

namespace Skein.Engine.Tests.Scheduling;

public class CommandTests
{
    [Fact]
    public async Task A_missing_program_is_errored_not_failed()
    {
        var job = new Job("missing")
            .AddCommand("missing", "skein-no-such-program-here --version")
            .AddCommand("after", "true", "missing");

        var results = await Runs.ResultsByIdAsync(job);

        Assert.Equal(Outcome.Errored, results["missing"].Outcome);
        Assert.Equal(127, results["missing"].ExitCode);
        Assert.StartsWith("command not found (exit code 127)", results["missing"].Reason);
        Assert.Contains("skein-no-such-program-here", results["missing"].Reason);
        Assert.Equal(Outcome.Skipped, results["after"].Outcome);
        Assert.Equal("needs 'missing', which errored", results["after"].Reason);
    }

    [Fact]
    public async Task A_program_that_is_not_executable_is_errored()
    {
        var dir = Runs.TempDir();
        Directory.CreateDirectory(dir);
        var script = Path.Combine(dir, "script.sh");
        File.WriteAllText(script, "#!/bin/sh\necho hi\n");

        var result = Assert.Single(await Runs.CollectWithinAsync(new Job("noexec").AddCommand("noexec", Processes.Quote(script))));

        Assert.Equal(Outcome.Errored, result.Outcome);
        Assert.Equal(126, result.ExitCode);
    }

    [Fact]
    public async Task A_working_directory_that_does_not_exist_is_errored()
    {
        var missing = Path.Combine(Runs.TempDir(), "nowhere");
        var job = new Job("workdir").Add(new TaskSpec { Id = "build", Action = new CommandAction("true") { WorkingDirectory = missing } });

        var result = Assert.Single(await Runs.CollectWithinAsync(job));

        Assert.Equal(Outcome.Errored, result.Outcome);
        Assert.Equal($"working directory '{missing}' does not exist", result.Reason);
        Assert.Null(result.ExitCode);
    }

    [Fact]
    public async Task A_command_runs_in_its_directory_with_its_environment()
    {
        var dir = Runs.TempDir();
        Directory.CreateDirectory(dir);
        var job = new Job("env").Add(new TaskSpec
        {
            Id = "env",
            Action = new CommandAction("echo \"$PWD|$GREETING|$SKEIN_TASK_ID|$SKEIN_ATTEMPT\"")
            {
                WorkingDirectory = dir,
                Environment = new Dictionary<string, string> { ["GREETING"] = "hello there" },
            },
        });

        var result = Assert.Single(await Runs.CollectWithinAsync(job));

        Assert.Equal(Outcome.Passed, result.Outcome);
        Assert.Equal($"{dir}|hello there|env|1", File.ReadAllText(result.LogPath!).Trim());
    }

    [Fact]
    public async Task Warn_exit_codes_warn_and_let_dependents_run()
    {
        var job = new Job("warn")
            .Add(new TaskSpec { Id = "lint", Action = new CommandAction("echo '3 style issues'; exit 2") { WarnExitCodes = [2] } })
            .AddCommand("build", "true", "lint");

        var results = await Runs.ResultsByIdAsync(job);

        Assert.Equal(Outcome.Warned, results["lint"].Outcome);
        Assert.Equal("exit code 2: 3 style issues", results["lint"].Reason);
        Assert.Equal(Outcome.Passed, results["build"].Outcome);
    }

    [Fact]
    public async Task A_command_that_prints_nothing_has_no_log()
    {
        var result = Assert.Single(await Runs.CollectWithinAsync(new Job("quiet").AddCommand("quiet", "true")));

        Assert.Equal(Outcome.Passed, result.Outcome);
        Assert.Null(result.LogPath);
    }

    [Fact]
    public async Task A_csharp_task_that_throws_fails_with_the_exception_in_its_log()
    {
        var job = new Job("throws").Add("throws", _ => throw new FormatException("bad input"));

        var result = Assert.Single(await Runs.CollectWithinAsync(job));

        Assert.Equal(Outcome.Failed, result.Outcome);
        Assert.Equal("FormatException: bad input", result.Reason);
        Assert.Contains("System.FormatException: bad input", File.ReadAllText(result.LogPath!));
    }

    [Fact]
    public async Task Background_processes_a_command_leaves_behind_are_killed_when_it_ends()
    {
        var pidFile = Path.Combine(Runs.TempDir(), "pid");
        Directory.CreateDirectory(Path.GetDirectoryName(pidFile)!);
        var job = new Job("leftovers").AddCommand("leaves-a-child", $"sleep 300 >/dev/null 2>&1 & echo $! > {Processes.Quote(pidFile)}");

        var result = Assert.Single(await Runs.CollectWithinAsync(job));

        Assert.Equal(Outcome.Passed, result.Outcome);
        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(await Processes.WaitGoneAsync(pid, Runs.Patience), $"process {pid} outlived its task");
    }
}
