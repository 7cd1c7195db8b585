using Skein.Cluster.Execution;
using Skein.Cluster.Membership;

namespace Skein.Cluster.Tests.Execution;

/// <summary>Why a task could never be placed, judged against the live nodes: cores, memory, labels, node, host.</summary>
public sealed class PlacementLedgerTests
{
    private static Member Node(string name, int slots, long memory, string host = "box-1", params (string, string)[] labels) =>
        new($"id-{name}", new NodeRegistration(name, host, "127.0.0.1", slots, memory, labels.ToDictionary(l => l.Item1, l => l.Item2), 1),
            MemberState.Alive, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    private static PlacementNeed Need(int cores = 1, long memory = 0, string? node = null, string? host = null, params (string, string)[] labels) =>
        new("train", cores, memory, labels.ToDictionary(l => l.Item1, l => l.Item2), node, host);

    private static readonly Member[] Nodes =
    [
        Node("node-1", 2, 8L << 30, "box-1.example.org"),
        Node("node-2", 4, 2L << 30, "box-2", ("gpu", "true")),
    ];

    [Fact]
    public void A_task_that_fits_somewhere_is_not_refused()
    {
        Assert.Null(PlacementLedger.WhyNever(Need(cores: 4), Nodes));
        Assert.Null(PlacementLedger.WhyNever(Need(memory: 8L << 30), Nodes));
        Assert.Null(PlacementLedger.WhyNever(Need(host: "box-1"), Nodes)); // a short name matches its full form
        Assert.Null(PlacementLedger.WhyNever(Need(node: "node-2", labels: ("gpu", "true")), Nodes));
    }

    [Fact]
    public void Too_many_cores_names_the_largest_node()
    {
        Assert.Equal("task 'train' needs 64 cores; the largest node (node-2) has 4", PlacementLedger.WhyNever(Need(cores: 64), Nodes));
        Assert.Equal("task 'train' needs 3 cores; the largest matching node (node-1) has 2", PlacementLedger.WhyNever(Need(cores: 3, host: "box-1"), Nodes));
    }

    [Fact]
    public void Too_much_memory_names_the_roomiest_node_with_the_cores()
    {
        Assert.Equal("task 'train' needs 16 GiB of memory; the largest node with 1 core (node-1) has 8 GiB",
            PlacementLedger.WhyNever(Need(memory: 16L << 30), Nodes));
        Assert.Equal("task 'train' needs 4 GiB of memory; the largest node with 4 cores (node-2) has 2 GiB",
            PlacementLedger.WhyNever(Need(cores: 4, memory: 4L << 30), Nodes));
    }

    [Fact]
    public void No_match_says_which_part_matches_nothing()
    {
        Assert.Equal("task 'train' must run on node 'node-9', but no live node has that name (live: node-1, node-2)", PlacementLedger.WhyNever(Need(node: "node-9"), Nodes));
        Assert.Equal("task 'train' must run on host 'box-9', but no live node runs there (hosts: box-1.example.org, box-2)", PlacementLedger.WhyNever(Need(host: "box-9"), Nodes));
        Assert.Equal("task 'train' needs a node labelled gpu=false, but no live node is (live: node-1, node-2)", PlacementLedger.WhyNever(Need(labels: ("gpu", "false")), Nodes));
        Assert.Equal("task 'train' needs a node that is named node-1, labelled gpu=true at once, but no live node is all of it (live: node-1, node-2)",
            PlacementLedger.WhyNever(Need(node: "node-1", labels: ("gpu", "true")), Nodes));
        Assert.Equal("task 'train' needs a node, but no node is alive in the cluster", PlacementLedger.WhyNever(Need(), []));
    }
}
