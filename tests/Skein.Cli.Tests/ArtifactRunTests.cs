using System.Text.Json;

namespace Skein.Cli.Tests;

/// <summary>
/// Artifacts through real skein processes: a file made by a task on one node reaches a task on the other, the same
/// job runs in one process, --resume hands artifacts on from the coordinator's store, the run's limit is refused, and a
/// hostile pattern is refused when the file is read.
/// </summary>
public sealed class ArtifactRunTests
{
    private static readonly TimeSpan Patience = TestPatience.Ceiling;

    /// <summary>
    /// A producer and a consumer in different directories (each its own <c>workdir</c>), so the file can only arrive
    /// as an artifact; on a cluster, each pinned to its own node. The large file spans several chunks.
    /// </summary>
    private const string HandoffJob = """
        name: handoff
        tasks:
          build:
            on: { node: node-1 }
            workdir: from
            run: |
              mkdir -p dist
              printf 'payload from %s' "${SKEIN_NODE:-this process}" > 'dist/$(x) app.tar.gz'
              head -c 3000000 /dev/urandom > dist/big.bin
              sha256sum dist/big.bin | cut -d' ' -f1 > big.sha
            artifacts: [dist/**]
          use:
            needs: [build]
            on: { node: node-2 }
            workdir: to
            run: |
              cat 'dist/$(x) app.tar.gz' > received.txt
              sha256sum dist/big.bin | cut -d' ' -f1 > big.sha
              echo "::output node=${SKEIN_NODE:-none}"
        """;

    private static TempDirectory Prepared(string job)
    {
        var dir = new TempDirectory();
        dir.Write("job.yaml", job);
        Directory.CreateDirectory(dir.File("from"));
        Directory.CreateDirectory(dir.File("to"));
        return dir;
    }

    private static JsonElement Task(JsonDocument report, string id) =>
        report.RootElement.GetProperty("tasks").EnumerateArray().Single(t => t.GetProperty("id").GetString() == id);

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_file_made_by_a_task_on_one_node_reaches_its_dependent_on_the_other()
    {
        using var dir = Prepared(HandoffJob);

        var run = await SkeinProcess.RunAsync(dir.Path, "run", "--nodes", "2", "job.yaml", "--json", "report.json");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("payload from node-1", File.ReadAllText(dir.File("to/received.txt")));
        Assert.Equal(File.ReadAllText(dir.File("from/big.sha")), File.ReadAllText(dir.File("to/big.sha")));
        using var report = JsonDocument.Parse(File.ReadAllText(dir.File("report.json")));
        Assert.Equal("node-2", Task(report, "use").GetProperty("outputs").GetProperty("node").GetString());
        var artifacts = Task(report, "build").GetProperty("artifacts").EnumerateArray().ToList();
        Assert.Equal(["dist/$(x) app.tar.gz", "dist/big.bin"], artifacts.Select(a => a.GetProperty("path").GetString()));
        Assert.Equal(3000000, artifacts[1].GetProperty("size").GetInt64());
        Assert.Equal(File.ReadAllText(dir.File("from/big.sha")).Trim(), artifacts[1].GetProperty("sha256").GetString());
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task The_same_job_in_process_hands_the_files_on_and_show_lists_them()
    {
        using var dir = Prepared(HandoffJob);

        var run = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("payload from this process", File.ReadAllText(dir.File("to/received.txt")));
        Assert.Equal(File.ReadAllText(dir.File("from/big.sha")), File.ReadAllText(dir.File("to/big.sha")));
        var shown = await SkeinProcess.RunAsync(dir.Path, "show", "latest");
        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Contains("artifacts:", shown.Stdout);
        Assert.Contains("build: dist/$(x) app.tar.gz (25 B)", shown.Stdout);
        Assert.Contains("build: dist/big.bin (2.9 MiB)", shown.Stdout);
        Assert.NotEmpty(Directory.GetFiles(dir.File(".skein/artifacts/1")));
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Resume_on_a_cluster_hands_a_reused_tasks_artifacts_on_from_the_coordinators_store()
    {
        using var dir = Prepared("""
            name: resumable
            tasks:
              build:
                workdir: from
                run: |
                  echo built >> ../build.count
                  mkdir -p dist && printf 'v1' > dist/app.bin
                artifacts: [dist/app.bin]
              use:
                needs: [build]
                workdir: to
                run: |
                  test -f ../go || exit 3
                  cat dist/app.bin > received.txt
            """);
        await using var up = await StartUpAsync(dir.Path);

        var first = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml");
        Assert.True(first.ExitCode == 1, first.ToString());
        File.WriteAllText(dir.File("go"), "");
        // Only the coordinator's store still has the file the dependent reads.
        Directory.Delete(dir.File("from/dist"), recursive: true);
        var resumed = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--resume");

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("reused from run 1", resumed.Stdout);
        Assert.Single(File.ReadAllLines(dir.File("build.count")));
        Assert.Equal("v1", File.ReadAllText(dir.File("to/received.txt")));
        var shown = await SkeinProcess.RunAsync(dir.Path, "show", "2");
        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Contains("build: dist/app.bin (2 B)", shown.Stdout);
        // Kept by the coordinator, with each run: the resumed run took the reused task's content along.
        Assert.Single(Directory.GetFiles(dir.File(".skein/artifacts/1")));
        Assert.Single(Directory.GetFiles(dir.File(".skein/artifacts/2")));
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task An_artifact_past_the_runs_limit_fails_its_task_on_the_cluster_and_nothing_half_written_stays()
    {
        using var dir = Prepared("""
            name: limited
            limits: { artifacts: 1MiB }
            tasks:
              big:
                workdir: from
                run: head -c 3000000 /dev/zero > big.bin
                artifacts: [big.bin]
              after: { needs: [big], run: "true" }
            """);
        await using var up = await StartUpAsync(dir.Path);

        var run = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--json", "report.json");

        Assert.True(run.ExitCode == 1, run.ToString());
        using var report = JsonDocument.Parse(File.ReadAllText(dir.File("report.json")));
        var big = Task(report, "big");
        Assert.Equal("failed", big.GetProperty("outcome").GetString());
        var reason = big.GetProperty("reason").GetString()!;
        Assert.Contains("artifact 'big.bin' of task 'big'", reason);
        Assert.Contains("limit of 1 MiB", reason);
        Assert.Equal("skipped", Task(report, "after").GetProperty("outcome").GetString());
        var store = dir.File(".skein/artifacts");
        Assert.Empty(Directory.Exists(store) ? Directory.GetFiles(store, "*", SearchOption.AllDirectories) : []);
    }

    [Fact]
    public async Task A_hostile_artifact_pattern_is_refused_when_the_file_is_read()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", """
            name: hostile
            tasks:
              steal:
                run: touch ran
                artifacts: ["../../etc/passwd", "/etc/shadow"]
            """);

        var run = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("job.yaml:5:", run.Stderr);
        Assert.Contains("goes up with '..'", run.Stderr);
        Assert.Contains("must be relative", run.Stderr);
        Assert.False(File.Exists(dir.File("ran")));
    }

    private static async Task<SkeinProcess> StartUpAsync(string directory)
    {
        var up = SkeinProcess.Start(directory, "up", "--nodes", "1");
        try
        {
            await up.WaitForOutputAsync("cluster up at", Patience);
        }
        catch
        {
            await up.DisposeAsync();
            throw;
        }
        return up;
    }
}
