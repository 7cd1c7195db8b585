using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Skein.Cluster.Execution;
using Skein.Cluster.Tests.Services;
using Skein.Engine;
using Skein.Engine.JobFiles;
using Skein.Testing;
using Skein.Cluster.Client;
using Skein.Cluster.Configuration;

namespace Skein.Cluster.Tests.Execution;

/// <summary>
/// A JobRun whose attempts run on a TestCluster of two nodes through <see cref="ClusterExecutor"/>: placement, the
/// node task runner, streamed logs and results, cancellation, and the refusals before a run starts.
/// </summary>
public sealed class ClusterExecutorTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TestPatience.Ceiling;
    private TestCluster _cluster = null!;
    private SkeinClient _client = null!;
    private ClusterExecutor _executor = null!;
    private readonly TempDirectory _dir = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _cluster = await new TestClusterBuilder()
            .WithNodes(2)
            .ConfigureNode((index, options) =>
            {
                options.Slots = 2;
                if (index % 2 == 1) options.Labels["gpu"] = "true";
            })
            .AddService<ITestEcho, TestEcho>()
            .StartAsync(Ct);
        _client = await _cluster.ConnectClientAsync(cancellationToken: Ct);
        _executor = new ClusterExecutor(_client);
    }

    public async ValueTask DisposeAsync()
    {
        await _executor.DisposeAsync();
        await _client.DisposeAsync();
        await _cluster.DisposeAsync();
        _dir.Dispose();
    }

    private string FirstNode => _cluster.Nodes[0].Name;
    private string GpuNode => _cluster.Nodes.Single(n => n.Name != FirstNode).Name;

    private RunOptions Options(int workers = 4) => new() { Executor = _executor, Workers = workers, StateDirectory = Path.Combine(_dir.Path, ".skein") };

    private Job Load(string yaml)
    {
        var result = JobFileLoader.Parse(yaml, "job.yaml", _dir.Path);
        Assert.True(result.Problems.Count == 0, string.Join("\n", result.Problems));
        return result.Job!;
    }

    private static async Task<(RunSummary Summary, List<TaskResult> Results)> RunAsync(Job job, RunOptions options, CancellationToken ct)
    {
        await using var run = await JobRun.StartAsync(job, options, ct);
        var results = new List<TaskResult>();
        await foreach (var e in run.ReadEventsAsync(ct))
            if (e is TaskFinished finished) results.Add(finished.Result);
        return (await run.Completion.WaitAsync(Patience, ct), results);
    }

    private static string Log(TaskResult result) => result.LogPath is { } path ? File.ReadAllText(path) : "";

    [Fact]
    public async Task Commands_spread_over_both_nodes_with_their_variables_logs_and_results()
    {
        // Four tasks that each wait until all four have started: with two slots per node they can only all run at
        // once spread over both nodes.
        var job = Load("""
            name: spread
            tasks:
              t-{{matrix.i}}:
                matrix: { i: [1, 2, 3, 4] }
                run: |
                  touch started.$SKEIN_TASK
                  while [ "$(ls started.* | wc -l)" -lt 4 ]; do sleep 0.02; done
                  echo "on=$SKEIN_NODE run=$SKEIN_RUN task=$SKEIN_TASK attempt=$SKEIN_ATTEMPT"
                  echo "::result name=check outcome=passed"
            """);
        var placements = new List<AttemptPlacement>();
        _executor.Placed += p => { lock (placements) placements.Add(p); };

        var (summary, results) = await RunAsync(job, Options(), Ct);

        Assert.True(summary.Succeeded, string.Join("\n", results.Select(r => $"{r.TaskId} {r.Outcome} {r.Reason}")));
        Assert.Equal(4, results.Count);
        var nodes = new HashSet<string>();
        foreach (var result in results)
        {
            var log = Log(result);
            Assert.Contains($"run=0 task={result.TaskId} attempt=1", log);
            nodes.Add(log.Split("on=")[1].Split(' ')[0]);
            Assert.Equal(Outcome.Passed, Assert.Single(result.SubResults, s => s.Name == "check").Outcome);
        }
        Assert.Equal([FirstNode, GpuNode], nodes.Order());
        // The nodes see the job file's directory (same host, the marker matched): no fresh directories.
        Assert.All(placements, p => Assert.False(p.FreshWorkingDirectory));
        Assert.All(placements, p => Assert.Equal(_dir.Path, p.WorkingDirectory));
    }

    [Fact]
    public async Task A_failing_command_fails_with_its_exit_code_and_last_line()
    {
        var job = Load("""
            name: fails
            tasks:
              bad: { run: "echo broken; exit 3" }
            """);

        var (_, results) = await RunAsync(job, Options(), Ct);

        var bad = Assert.Single(results);
        Assert.Equal(Outcome.Failed, bad.Outcome);
        Assert.Equal(3, bad.ExitCode);
        Assert.Equal("exit code 3: broken", bad.Reason);
    }

    [Fact]
    public async Task Output_streams_to_the_log_while_the_command_runs()
    {
        var go = Path.Combine(_dir.Path, "go.fifo");
        MakeFifo(go);
        var job = Load($"""
            name: stream
            tasks:
              slow:
                run: |
                  echo first-line
                  read line < {go}
                  echo second-line
            """);
        await using var run = await JobRun.StartAsync(job, Options(), Ct);
        var log = Path.Combine(_dir.Path, ".skein", "logs");

        // The first line is in the run's log while the command still waits for the second.
        await WaitUntilAsync(() => Directory.Exists(log) && Directory.EnumerateFiles(log, "slow.1.log", SearchOption.AllDirectories)
            .Any(f => File.ReadAllText(f).Contains("first-line")), "the first line in the log");
        await File.WriteAllTextAsync(go, "go\n", Ct);
        var summary = await run.Completion.WaitAsync(Patience, Ct);

        Assert.True(summary.Succeeded);
        var path = Directory.EnumerateFiles(log, "slow.1.log", SearchOption.AllDirectories).Single();
        Assert.Equal("first-line\nsecond-line\n", File.ReadAllText(path));
    }

    [Fact]
    public async Task Cancelling_the_run_kills_the_commands_process_group_on_the_node()
    {
        var pids = Path.Combine(_dir.Path, "pid.fifo");
        MakeFifo(pids);
        var job = Load($"""
            name: cancel
            tasks:
              hang:
                kill-grace: 200ms
                run: |
                  sleep 1000 &
                  echo $! > {pids}
                  wait
            """);
        await using var run = await JobRun.StartAsync(job, Options(), Ct);
        var grandchild = int.Parse(await Task.Run(() => File.ReadAllText(pids).Trim(), Ct).WaitAsync(Patience, Ct));

        run.Cancel();
        var summary = await run.Completion.WaitAsync(Patience, Ct);

        Assert.Equal(1, summary.Count(Outcome.Cancelled));
        Assert.True(await WaitGoneAsync(grandchild), $"the command's child {grandchild} outlived the cancelled attempt");
    }

    [Fact]
    public async Task Labels_node_and_host_choose_where_a_task_runs()
    {
        var job = Load($$"""
            name: placed
            tasks:
              gpu: { run: echo "on=$SKEIN_NODE", on: { labels: { gpu: "true" } } }
              named: { run: echo "on=$SKEIN_NODE", on: { node: {{FirstNode}} } }
              hosted: { run: echo "on=$SKEIN_NODE", on: { host: {{Environment.MachineName}} } }
            """);

        var (summary, results) = await RunAsync(job, Options(), Ct);

        Assert.True(summary.Succeeded);
        Assert.Equal($"on={GpuNode}\n", Log(results.Single(r => r.TaskId == "gpu")));
        Assert.Equal($"on={FirstNode}\n", Log(results.Single(r => r.TaskId == "named")));
        Assert.StartsWith("on=node-", Log(results.Single(r => r.TaskId == "hosted")));
    }

    [Fact]
    public async Task A_task_no_node_could_take_is_refused_before_anything_runs_saying_why()
    {
        var job = Load("""
            name: impossible
            tasks:
              first: { run: touch ran }
              train: { run: make, resources: { cores: 64 } }
              tpu: { run: make, on: { labels: { tpu: "v4" } } }
              there: { run: make, on: { node: nowhere } }
            """);

        var ex = await Assert.ThrowsAsync<JobValidationException>(() => JobRun.StartAsync(job, Options(), Ct));

        Assert.Contains($"task 'train' needs 64 cores; the largest node ({FirstNode}) has 2", ex.Message);
        Assert.Contains("task 'tpu' needs a node labelled tpu=v4, but no live node is", ex.Message);
        Assert.Contains("task 'there' must run on node 'nowhere', but no live node has that name", ex.Message);
        // Each points at the key at fault: 'resources' for a size no node has, 'on' for a match no node makes.
        var train = ex.Problems.Single(p => p.Message.Contains("'train'"));
        Assert.Equal((4, 23), (train.Location?.Line, train.Location?.Column));
        var tpu = ex.Problems.Single(p => p.Message.Contains("'tpu'"));
        Assert.Equal((5, 21), (tpu.Location?.Line, tpu.Location?.Column));
        Assert.False(File.Exists(Path.Combine(_dir.Path, "ran")));
    }

    [Fact]
    public async Task A_task_that_finds_no_room_waits_and_says_what_for()
    {
        var release = Path.Combine(_dir.Path, "release.fifo");
        MakeFifo(release);
        var job = Load($$"""
            name: waits
            tasks:
              big: { run: "read x < {{release}}", resources: { cores: 2 }, on: { node: {{FirstNode}} } }
            """);
        // 'next' becomes ready only once 'big' is on its node, so it is the one that waits.
        AddAfterPlaced(job, "big", new TaskSpec
        {
            Id = "next",
            Action = new CommandAction("true"),
            Resources = new TaskResources { Cores = 2 },
            Placement = new TaskPlacement { Node = FirstNode },
        });
        var waiting = new TaskCompletionSource<PlacementWait>(TaskCreationOptions.RunContinuationsAsynchronously);
        _executor.WaitChanged += w => waiting.TrySetResult(w);
        await using var run = await JobRun.StartAsync(job, Options(), Ct);

        var wait = await waiting.Task.WaitAsync(Patience, Ct);
        Assert.Contains(_executor.Waiting, w => w.TaskId == wait.TaskId);
        Assert.Equal($"waiting for room: needs 2 cores; {FirstNode} has 0 of 2 free", wait.Reason);
        await File.WriteAllTextAsync(release, "go\n", Ct);
        var summary = await run.Completion.WaitAsync(Patience, Ct);

        Assert.True(summary.Succeeded);
        Assert.Empty(_executor.Waiting);
    }

    [Fact]
    public async Task A_task_waiting_for_room_times_out_like_any_other()
    {
        var release = Path.Combine(_dir.Path, "keep.fifo");
        MakeFifo(release);
        var job = Load($$"""
            name: waits
            tasks:
              big: { run: "read x < {{release}}", resources: { cores: 2 }, on: { node: {{FirstNode}} } }
            """);
        AddAfterPlaced(job, "big", new TaskSpec
        {
            Id = "late",
            Action = new CommandAction("true"),
            Resources = new TaskResources { Cores = 2 },
            Placement = new TaskPlacement { Node = FirstNode },
            Timeout = TimeSpan.FromMilliseconds(300),
        });
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _executor.WaitChanged += _ => waiting.TrySetResult();
        await using var run = await JobRun.StartAsync(job, Options(), Ct);
        var results = new List<TaskResult>();
        var reading = Task.Run(async () =>
        {
            await foreach (var e in run.ReadEventsAsync(Ct))
                if (e is TaskFinished finished) lock (results) results.Add(finished.Result);
        }, Ct);
        await waiting.Task.WaitAsync(Patience, Ct);

        await WaitUntilAsync(() => { lock (results) return results.Any(r => r.TaskId == "late"); }, "the waiting task timing out");
        await File.WriteAllTextAsync(release, "go\n", Ct);
        await run.Completion.WaitAsync(Patience, Ct);
        await reading.WaitAsync(Patience, Ct);

        var late = results.Single(r => r.TaskId == "late");
        Assert.Equal(Outcome.TimedOut, late.Outcome);
        Assert.Null(late.LogPath); // no stack trace: waiting ended as the run asked
        Assert.Equal(Outcome.Passed, results.Single(r => r.TaskId == "big").Outcome);
        Assert.Empty(_executor.Waiting);
    }

    [Fact]
    public async Task Room_is_accounted_across_runs_of_different_clients()
    {
        // Run A fills both slots of the first node and keeps them until released (a pipe per command).
        var release = Path.Combine(_dir.Path, "hold");
        MakeFifo(release + ".a1");
        MakeFifo(release + ".a2");
        var fill = Load($$"""
            name: fill
            tasks:
              a1: { run: "read x < {{release}}.$SKEIN_TASK", on: { node: {{FirstNode}} } }
              a2: { run: "read x < {{release}}.$SKEIN_TASK", on: { node: {{FirstNode}} } }
            """);
        var placed = 0;
        var bothPlaced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _executor.Placed += _ => { if (Interlocked.Increment(ref placed) == 2) bothPlaced.TrySetResult(); };
        await using var runA = await JobRun.StartAsync(fill, Options(), Ct);
        await bothPlaced.Task.WaitAsync(Patience, Ct);

        // Run B, from another client with its own executor, must wait for that room.
        await using var otherClient = await _cluster.ConnectClientAsync(cancellationToken: Ct);
        await using var other = new ClusterExecutor(otherClient);
        var waiting = new TaskCompletionSource<PlacementWait>(TaskCreationOptions.RunContinuationsAsynchronously);
        other.WaitChanged += w => waiting.TrySetResult(w);
        var after = Load($$"""
            name: after
            tasks:
              b: { run: "true", on: { node: {{FirstNode}} } }
            """);
        await using var runB = await JobRun.StartAsync(after, new RunOptions { Executor = other, StateDirectory = Path.Combine(_dir.Path, ".skein-b") }, Ct);
        var wait = await waiting.Task.WaitAsync(Patience, Ct);
        Assert.Equal($"waiting for room: needs 1 core; {FirstNode} has 0 of 2 free", wait.Reason);

        // Both of run A's commands end, and their room goes to run B.
        await File.WriteAllTextAsync(release + ".a1", "go\n", Ct);
        await File.WriteAllTextAsync(release + ".a2", "go\n", Ct);
        Assert.True((await runA.Completion.WaitAsync(Patience, Ct)).Succeeded);
        Assert.True((await runB.Completion.WaitAsync(Patience, Ct)).Succeeded);
    }

    [Fact]
    public async Task A_call_task_calls_the_service_and_passes_with_its_JSON_result()
    {
        var job = Load("""
            name: calls
            tasks:
              add: { call: test-echo.Add, args: [2, 3] }
              echo: { call: test-echo.Echo, args: [hello] }
              missing: { call: test-echo.Nope, args: [] }
            """);

        var (_, results) = await RunAsync(job, Options(), Ct);

        var add = results.Single(r => r.TaskId == "add");
        Assert.Equal(Outcome.Passed, add.Outcome);
        Assert.Equal("5", add.Value);
        var echo = results.Single(r => r.TaskId == "echo");
        Assert.Equal("\"hello\"", echo.Value);
        Assert.Equal("\"hello\"", echo.Outputs[ClusterExecutor.ResultOutput]);
        Assert.Null(echo.LogPath); // a call writes no log: its result is its value and output
        var missing = results.Single(r => r.TaskId == "missing");
        Assert.Equal(Outcome.Errored, missing.Outcome);
        Assert.Contains("test-echo.Nope", missing.Reason);
    }

    private sealed record Meta(string Name, int Size);

    [Fact]
    public async Task A_delegate_reads_a_node_commands_outputs_and_a_calls_result_with_GetResult()
    {
        var job = Load("""
            name: results
            tasks:
              build:
                run: |
                  echo "::output version=1.4.2"
                  echo "::output count=42"
                  echo '::output meta={"name": "skein", "size": 3}'
                  echo "ran on $SKEIN_NODE"
              add: { call: test-echo.Add, args: [2, 3] }
              echo: { call: test-echo.Echo, args: [hello] }
            """);
        job.Add("read", ctx =>
        {
            var meta = ctx.GetResult<Meta>("build", "meta");
            return $"{ctx.GetResult<string>("build", "version")} {ctx.GetResult<int>("build", "count") + 1} {meta.Name}/{meta.Size} " +
                   $"{ctx.GetResult<int>("add") * 2} {ctx.GetResult<string>("echo")} {ctx.GetResult<string>("add", "result")}";
        }, "build", "add", "echo");
        job.Add("wrong", ctx => ctx.GetResult<int>("echo"), "echo");

        var (_, results) = await RunAsync(job, Options(), Ct);

        Assert.Contains("ran on node-", Log(results.Single(r => r.TaskId == "build")));
        var read = results.Single(r => r.TaskId == "read");
        Assert.True(read.Outcome == Outcome.Passed, read.Reason);
        Assert.Equal("1.4.2 43 skein/3 10 hello 5", read.Value);
        var wrong = results.Single(r => r.TaskId == "wrong");
        Assert.Equal(Outcome.Failed, wrong.Outcome);
        Assert.Contains("read the output 'result' of 'echo' as Int32, but \"hello\" does not read as one", wrong.Reason);
    }

    [Fact]
    public async Task A_delegate_runs_in_this_process_beside_commands_on_nodes()
    {
        var job = Load("""
            name: mixed
            tasks:
              cmd: { run: echo "on=$SKEIN_NODE" }
            """);
        var here = Environment.ProcessId;
        job.Add("csharp", _ => Environment.ProcessId, "cmd");

        var (summary, results) = await RunAsync(job, Options(), Ct);

        Assert.True(summary.Succeeded);
        Assert.Equal(here, results.Single(r => r.TaskId == "csharp").Value);
        Assert.StartsWith("on=node-", Log(results.Single(r => r.TaskId == "cmd")));
    }

    [Fact]
    public async Task Over_a_thousand_short_commands_on_one_node_all_pass()
    {
        // Every attempt is a call to the node. While the executor left its half of each call open, the node's server
        // kept the finished calls tracked and, a few hundred attempts in, refused new ones (ENHANCE_YOUR_CALM).
        var job = new Job("many");
        for (var i = 0; i < 1200; i++)
        {
            job.Add(new TaskSpec
            {
                Id = $"t{i}",
                Action = new CommandAction(new CommandSpec { Command = "true", WorkingDirectory = _dir.Path }),
                Placement = new TaskPlacement { Node = GpuNode },
            });
        }

        var (summary, results) = await RunAsync(job, Options(), Ct);

        Assert.True(summary.Succeeded, string.Join("\n", results.Where(r => r.Outcome != Outcome.Passed).Take(3).Select(r => $"{r.TaskId} {r.Outcome} {r.Reason}")));
        Assert.Equal(1200, results.Count);
    }

    [Fact]
    public async Task An_attempt_whose_node_leaves_errors_and_is_retried_on_the_other()
    {
        var pids = Path.Combine(_dir.Path, "started.fifo");
        MakeFifo(pids);
        var job = Load($$"""
            name: moves
            tasks:
              long:
                retries: 1
                on: { labels: { gpu: "true" } }
                run: |
                  if [ "$SKEIN_ATTEMPT" = 1 ]; then echo "$SKEIN_NODE" > {{pids}}; sleep 1000; fi
                  echo "on=$SKEIN_NODE"
            """);
        // A second node with the label, so the retry has somewhere to go.
        var spare = await _cluster.StartNodeAsync("spare", host => host.Services.Configure<NodeOptions>(o => o.Labels["gpu"] = "true"), Ct);
        await using var run = await JobRun.StartAsync(job, Options(), Ct);
        var first = await Task.Run(() => File.ReadAllText(pids).Trim(), Ct).WaitAsync(Patience, Ct);

        await _cluster.StopNodeAsync(_cluster.Nodes.Single(n => n.Name == first), Ct);
        var summary = await run.Completion.WaitAsync(Patience, Ct);

        Assert.True(summary.Succeeded);
        var other = first == spare.Name ? GpuNode : spare.Name;
        Assert.Contains($"on={other}", File.ReadAllText(Directory.EnumerateFiles(Path.Combine(_dir.Path, ".skein", "logs"), "long.2.log", SearchOption.AllDirectories).Single()));
    }

    /// <summary>Adds <paramref name="task"/> behind a C# gate that opens once <paramref name="first"/> has started on its node.</summary>
    private void AddAfterPlaced(Job job, string first, TaskSpec task)
    {
        var placed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _executor.Placed += p => { if (p.TaskId == first) placed.TrySetResult(); };
        job.Add($"{task.Id}-gate", async (_, ct) => await placed.Task.WaitAsync(ct));
        job.Add(new TaskSpec
        {
            Id = task.Id,
            Action = task.Action,
            Resources = task.Resources,
            Placement = task.Placement,
            Timeout = task.Timeout,
            Needs = [$"{task.Id}-gate"],
        });
    }

    private static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"{what} did not happen within {Patience.TotalSeconds:0} s");
            await Task.Delay(20, Ct);
        }
    }

    /// <summary>A signal leaves no event to wait for, so this looks at /proc until the process is gone.</summary>
    private static async Task<bool> WaitGoneAsync(int pid)
    {
        var until = DateTime.UtcNow + Patience;
        while (Directory.Exists($"/proc/{pid}") && !IsZombie(pid))
        {
            if (DateTime.UtcNow > until) return false;
            await Task.Delay(20, Ct);
        }
        return true;
    }

    private static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var close = stat.LastIndexOf(')');
            return close >= 0 && close + 2 < stat.Length && stat[close + 2] is 'Z' or 'X';
        }
        catch (IOException)
        {
            return true;
        }
    }
}
