using Skein.Engine.Journal;
using Skein.Engine.Tests.JobFiles;
using Skein.Engine.Tests.Support;

namespace Skein.Engine.Tests.Artifacts;

/// <summary>Artifacts in one process: collected when a task passes, placed in its dependents' directories, kept for --resume, bounded per run.</summary>
public class ArtifactRunTests : IDisposable
{
    private readonly string _dir = Runs.TempDir();
    private readonly string _state;

    public ArtifactRunTests()
    {
        Directory.CreateDirectory(_dir);
        _state = Path.Combine(_dir, ".state");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name) => Path.Combine(_dir, name);

    private Job Load(string yaml) => JobFileAssert.Valid(yaml, _dir);

    private RunOptions Options(IRunJournal? journal = null, bool resume = false) => new()
    {
        Workers = 2,
        StateDirectory = _state,
        Journal = journal,
        Resume = resume,
    };

    private const string Handoff = """
        name: handoff
        tasks:
          build:
            run: |
              echo built >> build.count
              mkdir -p dist/sub && printf 'payload' > dist/app.tar.gz && printf 'nested' > 'dist/sub/$(x).tar.gz' && printf 'no' > dist/skip.txt
            artifacts: [dist/**/*.tar.gz, "dist/*.tar.gz"]
          use:
            needs: [build]
            workdir: elsewhere
            run: |
              test -f ../go || exit 3
              cat dist/app.tar.gz 'dist/sub/$(x).tar.gz' > received.txt
              test ! -e dist/skip.txt
        """;

    [Fact]
    public async Task A_dependent_in_another_directory_receives_the_files_a_need_handed_on()
    {
        Directory.CreateDirectory(File("elsewhere"));
        System.IO.File.WriteAllText(File("go"), "");
        var results = await Runs.ResultsByIdAsync(Load(Handoff), Options());

        Assert.True(results["use"].Outcome == Outcome.Passed, results["use"].ToString());
        Assert.Equal("payloadnested", System.IO.File.ReadAllText(File("elsewhere/received.txt")));
        var artifacts = results["build"].Artifacts;
        Assert.Equal(["dist/app.tar.gz", "dist/sub/$(x).tar.gz"], artifacts.Select(a => a.Path));
        Assert.Equal(7, artifacts[0].Size);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("payload"u8)), artifacts[0].Sha256);
        // Stored with the run, by content.
        var stored = Directory.GetFiles(Path.Combine(_state, "artifacts"), "*", SearchOption.AllDirectories);
        Assert.Contains(stored, path => Path.GetFileName(path) == artifacts[0].Sha256);
    }

    [Fact]
    public async Task In_the_producers_own_directory_a_file_already_there_with_the_same_content_is_not_copied()
    {
        var job = Load("""
            name: same-dir
            tasks:
              build:
                run: printf 'payload' > out.bin && stat -c %i out.bin > inode.before
                artifacts: [out.bin]
              use:
                needs: [build]
                run: stat -c %i out.bin > inode.after
            """);

        var results = await Runs.ResultsByIdAsync(job, Options());

        Assert.Equal(Outcome.Passed, results["use"].Outcome);
        Assert.Equal(System.IO.File.ReadAllText(File("inode.before")), System.IO.File.ReadAllText(File("inode.after")));
    }

    [Fact]
    public async Task An_artifact_past_the_runs_limit_fails_its_task_naming_the_file_and_the_limit_and_leaves_nothing_half_written()
    {
        var job = Load("""
            name: limited
            limits: { artifacts: 4KiB }
            tasks:
              small:
                run: head -c 1000 /dev/zero > small.bin
                artifacts: [small.bin]
              big:
                needs: [small]
                run: head -c 8000 /dev/zero > big.bin
                artifacts: [big.bin]
              after: { needs: [big], run: "true" }
            """);
        Assert.Equal(4096, job.ArtifactLimit);

        var results = await Runs.ResultsByIdAsync(job, Options());

        Assert.Equal(Outcome.Passed, results["small"].Outcome);
        Assert.Equal(Outcome.Failed, results["big"].Outcome);
        Assert.Contains("artifact 'big.bin' of task 'big' (7.8 KiB)", results["big"].Reason);
        Assert.Contains("limit of 4 KiB", results["big"].Reason);
        Assert.Empty(results["big"].Artifacts);
        Assert.Equal(Outcome.Skipped, results["after"].Outcome);
        var stored = Directory.GetFiles(Path.Combine(_state, "artifacts"), "*", SearchOption.AllDirectories);
        Assert.Equal([results["small"].Artifacts[0].Sha256], stored.Select(Path.GetFileName));
    }

    [Fact]
    public async Task Two_needs_handing_on_different_content_under_one_path_fail_the_dependent()
    {
        var job = Load("""
            name: clash
            tasks:
              a: { workdir: a, run: "echo a > x.txt", artifacts: [x.txt] }
              b: { workdir: b, run: "echo b > x.txt", artifacts: [x.txt] }
              use: { needs: [a, b], workdir: c, run: "touch ran" }
            """);
        foreach (var d in (string[])["a", "b", "c"]) Directory.CreateDirectory(File(d));

        var results = await Runs.ResultsByIdAsync(job, Options());

        Assert.Equal(Outcome.Failed, results["use"].Outcome);
        Assert.Contains("both hand on 'x.txt', with different content", results["use"].Reason);
        Assert.False(System.IO.File.Exists(File("c/ran")));
    }

    [Fact]
    public async Task Resume_hands_a_reused_tasks_artifacts_on_without_running_it_again()
    {
        Directory.CreateDirectory(File("elsewhere"));
        var job = Load(Handoff);
        await using (var journal = SqliteRunJournal.Open(_state))
        {
            var first = await Runs.ResultsByIdAsync(job, Options(journal));
            Assert.Equal(Outcome.Failed, first["use"].Outcome);
        }
        System.IO.File.WriteAllText(File("go"), "");
        // The file the dependent reads is gone from the build's directory: only the run's store still has it.
        Directory.Delete(File("dist"), recursive: true);

        await using (var journal = SqliteRunJournal.Open(_state))
        {
            var resumed = await Runs.ResultsByIdAsync(Load(Handoff), Options(journal, resume: true));
            Assert.True(resumed["build"].Reused);
            Assert.Equal(2, resumed["build"].Artifacts.Count);
            Assert.True(resumed["use"].Outcome == Outcome.Passed, resumed["use"].ToString());
        }
        Assert.Equal("built\n", System.IO.File.ReadAllText(File("build.count")));
        Assert.Equal("payloadnested", System.IO.File.ReadAllText(File("elsewhere/received.txt")));

        using var reader = JournalReader.Open(_state);
        var details = await reader.GetRunAsync(2, TestContext.Current.CancellationToken);
        Assert.Equal(["dist/app.tar.gz", "dist/sub/$(x).tar.gz"], details.Tasks.Single(t => t.TaskId == "build").Artifacts.Select(a => a.Path));
    }
}
