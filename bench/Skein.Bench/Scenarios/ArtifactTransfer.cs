using System.Diagnostics;
using Skein.Bench.Reporting;
using Skein.Cluster.Execution;
using Skein.Engine;
using Skein.Testing;

namespace Skein.Bench.Scenarios;

/// <summary>
/// A 100 MiB artifact moved from a task on one node to a task on the other (issue 11 §6), against <c>cp</c> of the same
/// file in the same run. Both tasks run in directories of their own (explicit working directories), so the file can only
/// arrive as an artifact: the producer's node hashes it and streams it to the coordinator, which hashes and stores it;
/// the consumer's node fetches it by hash into its cache and places it in its directory. Each repetition moves new
/// content, so no cache or store already holds it.
/// </summary>
internal static class ArtifactTransfer
{
    public const int MiB = 1024 * 1024;
    public const int SizeMiB = 100;

    public static async Task<IReadOnlyList<ResultRow>> MeasureAsync(string scenario, BenchSettings settings, CancellationToken cancellationToken)
    {
        var repetitions = Math.Clamp(settings.Repetitions, 1, 3);
        var root = Path.Combine(settings.StateDirectory, "artifacts-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        await using var cluster = await new TestClusterBuilder().WithNodes(2).ConfigureNode((_, options) => options.Slots = 1).StartAsync(cancellationToken);
        await using var client = await cluster.ConnectClientAsync(cancellationToken: cancellationToken);
        await using var executor = new ClusterExecutor(client);
        var nodes = cluster.Nodes.Select(n => n.Name).ToArray();
        try
        {
            // One small handoff first: connections, the JIT and the store's directories are ready before anything is timed.
            await TransferAsync(root, "warm", 1, nodes, executor, settings, cancellationToken);
            var moves = new List<TimeSpan>();
            var copies = new List<TimeSpan>();
            for (var i = 0; i < repetitions; i++)
            {
                Measure.Quiesce();
                moves.Add(await TransferAsync(root, $"r{i}", SizeMiB, nodes, executor, settings, cancellationToken));
                Measure.Quiesce();
                copies.Add(await CopyAsync(Path.Combine(root, $"r{i}", "p", "big.bin"), Path.Combine(root, $"r{i}", "cp.bin"), cancellationToken));
            }
            moves.Sort();
            copies.Sort();
            var move = moves[moves.Count / 2];
            var copy = copies[copies.Count / 2];
            var moveRate = SizeMiB / move.TotalSeconds;
            var copyRate = SizeMiB / copy.TotalSeconds;
            return
            [
                new ResultRow(scenario, $"{SizeMiB} MiB artifact from a task on {nodes[0]} to a task on {nodes[1]} (2-task job, JobRunner + ClusterExecutor)",
                    Format.Number(moveRate, "0") + " MiB/s")
                {
                    Time = Format.Duration(move),
                    Ratio = moveRate / copyRate,
                    Note = $"{Spread(moves)}; the whole job: place, run both commands, hash and upload to the coordinator, fetch into the node's cache, copy into place; ratio is this ÷ `cp`",
                },
                new ResultRow(scenario, $"`cp` of the same {SizeMiB} MiB file on the same disk", Format.Number(copyRate, "0") + " MiB/s")
                {
                    Time = Format.Duration(copy),
                    Note = $"{Spread(copies)}; the file was just written (in the page cache), as the artifact was",
                },
            ];
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // A temporary directory left behind is no reason to lose the figures.
            }
        }
    }

    private static string Spread(List<TimeSpan> sorted) => sorted.Count == 1
        ? "1 run"
        : $"median of {sorted.Count} ({Format.Number(SizeMiB / sorted[^1].TotalSeconds, "0")}–{Format.Number(SizeMiB / sorted[0].TotalSeconds, "0")} MiB/s)";

    /// <summary>Writes new content, then times the job that hands it from one node's task to the other's.</summary>
    private static async Task<TimeSpan> TransferAsync(string root, string name, int sizeMiB, string[] nodes, ClusterExecutor executor, BenchSettings settings,
        CancellationToken cancellationToken)
    {
        var producer = Path.Combine(root, name, "p");
        var consumer = Path.Combine(root, name, "c");
        Directory.CreateDirectory(producer);
        Directory.CreateDirectory(consumer);
        await WriteRandomAsync(Path.Combine(producer, "big.bin"), sizeMiB, cancellationToken);
        var expected = $"{(long)sizeMiB * MiB}";
        var job = new Job($"artifact-{name}");
        job.Add(new TaskSpec
        {
            Id = "make",
            // The file is there already: what is timed is handing it on, not making it.
            Action = new CommandAction(new CommandSpec { Command = "true", WorkingDirectory = producer }),
            WorkdirIsExplicit = true,
            Placement = new TaskPlacement { Node = nodes[0] },
            Artifacts = ["big.bin"],
        });
        job.Add(new TaskSpec
        {
            Id = "use",
            Action = new CommandAction(new CommandSpec { Command = $"test \"$(stat -c %s big.bin)\" = {expected}", WorkingDirectory = consumer }),
            WorkdirIsExplicit = true,
            Placement = new TaskPlacement { Node = nodes[1] },
            Needs = ["make"],
        });
        var options = new RunOptions
        {
            Workers = 2,
            Executor = executor,
            StateDirectory = Path.Combine(settings.StateDirectory, Guid.NewGuid().ToString("N")),
        };
        var sample = await EngineHarness.RunAsync(job, options, cancellationToken: cancellationToken);
        return sample.Elapsed;
    }

    private static async Task WriteRandomAsync(string path, int sizeMiB, CancellationToken cancellationToken)
    {
        var buffer = new byte[MiB];
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.Asynchronous);
        for (var i = 0; i < sizeMiB; i++)
        {
            Random.Shared.NextBytes(buffer);
            await file.WriteAsync(buffer, cancellationToken);
        }
    }

    private static async Task<TimeSpan> CopyAsync(string from, string to, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("cp") { UseShellExecute = false };
        start.ArgumentList.Add(from);
        start.ArgumentList.Add(to);
        var timer = Measure.Timestamp();
        using var process = Process.Start(start)!;
        await process.WaitForExitAsync(cancellationToken);
        var elapsed = Measure.Since(timer);
        if (process.ExitCode != 0) throw new InvalidOperationException($"cp exited with {process.ExitCode}");
        return elapsed;
    }
}

/// <summary>Only the artifact figure of <c>cluster-jobs</c>: a 100 MiB artifact between the two nodes of a local cluster, against <c>cp</c>.</summary>
internal sealed class ClusterArtifactsScenario : Scenario
{
    public override string Name => "cluster-artifacts";

    public override string Description => $"2-node cluster: a {ArtifactTransfer.SizeMiB} MiB artifact from a task on one node to a task on the other, against `cp` (also part of cluster-jobs)";

    public override Task<IReadOnlyList<ResultRow>> RunAsync(BenchSettings settings, CancellationToken cancellationToken) =>
        ArtifactTransfer.MeasureAsync(Name, settings, cancellationToken);
}
