using Skein.Engine.Journal;

namespace Skein.Cli.Tests;

public class ResumeTests
{
    private static readonly TimeSpan Patience = TestPatience.Ceiling;

    private const string Job = """
        name: resumable
        tasks:
          a: { run: "echo a >> ran.txt" }
          b: { run: "echo b >> ran.txt", needs: [a] }
          other: { run: "echo other >> ran.txt" }
          gate:
            needs: [b, other]
            run: "echo gate >> ran.txt; if [ ! -f release ]; then echo $$ > gate.pid; sleep 600; fi"
          c: { run: "echo c >> ran.txt", needs: [gate] }
        """;

    [Fact]
    public async Task Kill_9_mid_run_then_resume_completes_without_rerunning_what_passed()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", Job);
        var state = dir.File("state");

        await using (var first = SkeinProcess.Start(dir.Path, "run", "job.yaml", "--state", state))
        {
            await first.WaitForOutputAsync("start     gate", Patience);
            await WaitUntilJournalShowsPassedAsync(state, ["a", "b", "other"]);
            first.Signal(Posix.SigKill);
            Assert.Equal(137, await first.WaitForExitAsync(Patience));
        }
        StopOrphan(dir.File("gate.pid"));

        // The journal a kill -9 leaves behind is readable, and says the run was interrupted.
        var shown = await SkeinProcess.RunAsync(dir.Path, "show", "latest", "--state", state);
        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Contains("interrupted", shown.Stdout);

        File.WriteAllText(dir.File("release"), "");
        var resumed = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--state", state, "--resume", "--report", "detail");
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("reused from run 1", resumed.Stdout);

        var ran = File.ReadAllLines(dir.File("ran.txt"));
        Assert.Equal(1, ran.Count(l => l == "a"));
        Assert.Equal(1, ran.Count(l => l == "b"));
        Assert.Equal(1, ran.Count(l => l == "other"));
        Assert.Equal(2, ran.Count(l => l == "gate")); // interrupted once, then completed
        Assert.Equal(1, ran.Count(l => l == "c"));
    }

    [Fact]
    public async Task Resume_reruns_a_task_whose_definition_changed_and_what_needs_it()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", "name: edits\ntasks:\n  a: { run: \"echo a1 >> ran.txt\" }\n  b: { run: \"echo b >> ran.txt\", needs: [a] }\n  c: { run: \"echo c >> ran.txt\" }\n");
        var first = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml");
        Assert.True(first.ExitCode == 0, first.ToString());

        dir.Write("job.yaml", "name: edits\ntasks:\n  a: { run: \"echo a2 >> ran.txt\" }\n  b: { run: \"echo b >> ran.txt\", needs: [a] }\n  c: { run: \"echo c >> ran.txt\" }\n");
        var second = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--resume");
        Assert.True(second.ExitCode == 0, second.ToString());
        var ran = File.ReadAllLines(dir.File("ran.txt"));
        Assert.Equal(1, ran.Count(l => l == "a1"));
        Assert.Equal(1, ran.Count(l => l == "a2")); // changed: runs again
        Assert.Equal(2, ran.Count(l => l == "b"));  // unchanged, but needs what ran again
        Assert.Equal(1, ran.Count(l => l == "c"));  // unchanged and passed: reused
    }

    [Fact]
    public async Task Runs_show_and_logs_browse_the_journal()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", "name: browse\ntasks:\n  hello: { run: \"echo hello from the task; echo '::result name=check outcome=passed'\" }\n  nope: { run: \"echo failing on purpose; exit 2\" }\n");
        var run = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml");
        Assert.Equal(1, run.ExitCode);

        var runs = await SkeinProcess.RunAsync(dir.Path, "runs");
        Assert.True(runs.ExitCode == 0, runs.ToString());
        Assert.Contains("browse", runs.Stdout);
        Assert.Contains("failed", runs.Stdout);

        var show = await SkeinProcess.RunAsync(dir.Path, "show", "1");
        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Contains("check", show.Stdout);
        Assert.Contains("exit code 2", show.Stdout);

        var logs = await SkeinProcess.RunAsync(dir.Path, "logs", "latest", "hello");
        Assert.True(logs.ExitCode == 0, logs.ToString());
        Assert.Contains("hello from the task", logs.Stdout);

        var unknown = await SkeinProcess.RunAsync(dir.Path, "logs", "1", "helo");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("hello", unknown.Stderr); // suggests the close id

        var missingRun = await SkeinProcess.RunAsync(dir.Path, "show", "42");
        Assert.Equal(2, missingRun.ExitCode);
        Assert.Contains("no run 42", missingRun.Stderr);
    }

    [Fact]
    public async Task A_second_resume_of_a_job_being_resumed_is_refused_and_a_dead_holder_leaves_it_free()
    {
        using var dir = new TempDirectory();
        var state = dir.File("state");
        // Fails until 'ok' exists; then waits for 'release', holding the resume open.
        dir.Write("job.yaml", """
            name: locked
            tasks:
              t: { run: "echo ran >> ran.txt; [ -f ok ] || exit 1; echo $$ > t.pid; while [ ! -f release ]; do sleep 0.05; done" }
            """);
        var first = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--state", state, "--plain");
        Assert.True(first.ExitCode == 1, first.ToString());
        File.WriteAllText(dir.File("ok"), "");

        await using (var holder = SkeinProcess.Start(dir.Path, "run", "job.yaml", "--state", state, "--resume", "--plain"))
        {
            await holder.WaitForOutputAsync("start     t", Patience);

            var second = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--state", state, "--resume", "--plain");
            Assert.True(second.ExitCode == 2, second.ToString());
            Assert.Contains($"job 'locked' is already being resumed by process {holder.Id}", second.Stderr);
            Assert.Contains(Path.Combine(state, "locks"), second.Stderr);
            Assert.DoesNotContain("   at ", second.Stderr);

            // The holder dies without letting go: its lock goes with it.
            holder.Signal(Posix.SigKill);
            Assert.Equal(137, await holder.WaitForExitAsync(Patience));
        }
        StopOrphan(dir.File("t.pid"));
        Assert.Equal(2, File.ReadAllLines(dir.File("ran.txt")).Length); // the refused resume ran nothing

        File.WriteAllText(dir.File("release"), "");
        var after = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--state", state, "--resume", "--plain");
        Assert.True(after.ExitCode == 0, after.ToString());
        Assert.Equal(3, File.ReadAllLines(dir.File("ran.txt")).Length);
    }

    /// <summary>The journal commits in the background; wait (bounded) until it holds what the test relies on.</summary>
    private static async Task WaitUntilJournalShowsPassedAsync(string state, string[] taskIds)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            using (var journal = JournalReader.Open(state))
            {
                var run = await journal.GetRunAsync(1);
                var passed = run.Tasks.Where(t => t.Outcome == Outcome.Passed).Select(t => t.TaskId).ToHashSet();
                if (taskIds.All(passed.Contains)) return;
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the journal never recorded " + string.Join(", ", taskIds));
            await Task.Delay(20);
        }
    }

    private static void StopOrphan(string pidFile)
    {
        // kill -9 of skein cannot stop its tasks: the test cleans up the one it left sleeping.
        if (!File.Exists(pidFile)) return;
        if (int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid)) Posix.Kill(-pid, Posix.SigKill);
    }
}
