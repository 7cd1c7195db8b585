using System.Diagnostics;
using Skein.Bench.Reporting;
using Skein.Cluster.Execution;
using Skein.Engine;
using Skein.Testing;

namespace Skein.Bench.Scenarios;

/// <summary>
/// The per-attempt cost of C# code shipped to a node (a <see cref="ShippedAction"/> with a 16-byte request and reply)
/// against a <c>true</c> command on the same node, one attempt at a time, in alternating rounds of the same run. The
/// shipment is this bench's own folder (its entry is <see cref="BenchEchoEntry"/>); it is uploaded and fetched once
/// in the warm-up, so the rounds measure what every later attempt pays: placement, the node's call, a new entry in the
/// cached load context, the request there and the reply back.
/// </summary>
internal sealed class ClusterShippedScenario : Scenario
{
    private const int Attempts = 200;

    public override string Name => "cluster-shipped";

    public override string Description => $"2-node cluster: {Attempts} shipped C# attempts (16-byte request and reply), one at a time, against {Attempts} `true` commands on the same node";

    public override async Task<IReadOnlyList<ResultRow>> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        await using var cluster = await new TestClusterBuilder().WithNodes(2).ConfigureNode((_, options) => options.Slots = 1).StartAsync(cancellationToken);
        await using var client = await cluster.ConnectClientAsync(cancellationToken: cancellationToken);
        await using var executor = new ClusterExecutor(client);
        var node = cluster.Nodes[0];
        var shipment = new AssemblyShipment(typeof(BenchEchoEntry).Assembly.Location);
        var state = Path.Combine(settings.StateDirectory, "shipped-" + Guid.NewGuid().ToString("N"));

        Job Shipped(int count) => Many("shipped", count, _ => new BenchShippedAction(shipment), node.Name);
        Job Commands(int count) => Many("command", count, _ => new CommandAction(new CommandSpec { Command = "true", WorkingDirectory = settings.StateDirectory }), node.Name);

        // Warm-up: the shipment goes to the coordinator and to the node once, the JIT and connections are ready.
        await TimeAsync(Shipped(20), executor, state, cancellationToken);
        await TimeAsync(Commands(20), executor, state, cancellationToken);
        var shipped = new List<TimeSpan>();
        var commands = new List<TimeSpan>();
        for (var i = 0; i < Math.Max(3, settings.Repetitions); i++)
        {
            Measure.Quiesce();
            shipped.Add(await TimeAsync(Shipped(Attempts), executor, state, cancellationToken));
            Measure.Quiesce();
            commands.Add(await TimeAsync(Commands(Attempts), executor, state, cancellationToken));
        }
        shipped.Sort();
        commands.Sort();
        var perShipped = shipped[shipped.Count / 2] / Attempts;
        var perCommand = commands[commands.Count / 2] / Attempts;
        // What served the attempts: the node's task runner, from the shipment it holds (fetched once) and the coordinator's one copy.
        var onNode = Directory.EnumerateDirectories(Path.Combine(cluster.StateDirectory, "nodes", node.Name, "shipments")).Count(d => !Path.GetFileName(d).StartsWith('.'));
        var onCoordinator = Directory.EnumerateFiles(Path.Combine(cluster.StateDirectory, "shipments")).Count(f => !Path.GetFileName(f).StartsWith('.'));
        var served = $"served by node {node.Name}'s task runner in a load context of the shipment; shipments held: node {onNode}, coordinator {onCoordinator}";
        return
        [
            new ResultRow(Name, $"shipped C# attempt on {node.Name} (16-byte request and reply), one at a time", Format.Number(perShipped.TotalMicroseconds, "0") + " µs/attempt")
            {
                Time = Format.Duration(shipped[shipped.Count / 2]),
                Ratio = perShipped / perCommand,
                Note = $"median of {shipped.Count} rounds of {Attempts}; {served}; ratio is this ÷ the command",
            },
            new ResultRow(Name, $"`true` command on {node.Name}, one at a time", Format.Number(perCommand.TotalMicroseconds, "0") + " µs/attempt")
            {
                Time = Format.Duration(commands[commands.Count / 2]),
                Note = $"median of {commands.Count} rounds of {Attempts}, alternating with the shipped rounds",
            },
        ];
    }

    private static Job Many(string prefix, int count, Func<int, ITaskAction> action, string node)
    {
        var job = new Job(prefix);
        for (var i = 0; i < count; i++) job.Add(new TaskSpec { Id = $"{prefix}-{i}", Action = action(i), Placement = new TaskPlacement { Node = node } });
        return job;
    }

    private static async Task<TimeSpan> TimeAsync(Job job, ClusterExecutor executor, string state, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var failed = 0;
        await foreach (var result in JobRunner.RunAsync(job, new RunOptions { Executor = executor, Workers = 1, StateDirectory = state }, cancellationToken))
            if (!result.Outcome.IsSuccess()) failed++;
        var elapsed = Stopwatch.GetElapsedTime(started);
        if (failed > 0) throw new InvalidOperationException($"{failed} attempts of {job.Name} did not pass");
        return elapsed;
    }

    private sealed class BenchShippedAction(AssemblyShipment shipment) : ShippedAction(shipment, "Skein.Bench", typeof(BenchEchoEntry).FullName!)
    {
        private static readonly byte[] Request = new byte[16];

        public override string Fingerprint => "bench-echo";

        public override ValueTask<ReadOnlyMemory<byte>> EncodeRequestAsync(TaskContext context, CancellationToken cancellationToken) => new(Request);

        public override ActionResult DecodeReply(TaskContext context, ReadOnlyMemory<byte> reply) => ActionResult.Passed(reply.Length);

        public override ValueTask<ActionResult> ExecuteAsync(TaskContext context, CancellationToken cancellationToken) => new(ActionResult.Passed(Request.Length));
    }
}

/// <summary>The entry the cluster-shipped scenario runs on a node: replies with its request.</summary>
public sealed class BenchEchoEntry : IShippedEntry
{
    public ValueTask<ReadOnlyMemory<byte>> RunAsync(ShippedContext context, ReadOnlyMemory<byte> request, CancellationToken cancellationToken) => new(request);
}
