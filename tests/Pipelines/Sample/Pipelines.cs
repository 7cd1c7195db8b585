using Skein.Pipelines;

namespace Sample;

public static class Pipelines
{
    /// <summary>numbers (node-1) → sum (node-2) → report: each says where it ran.</summary>
    [Pipeline]
    public static Pipeline Sums
    {
        get
        {
            var numbers = new Numbers(10).On("node-1");
            var sum = new Sum().On("node-2");
            var report = new Report();
            return new Pipeline("sums",
                numbers >> sum >> report,
                numbers["ran-on"] >> report["numbers-ran-on"],
                sum["ran-on"] >> report["sum-ran-on"]);
        }
    }

    /// <summary>A type that does not fit (a list of numbers into a text), an input with no source, and a cycle.</summary>
    [Pipeline]
    public static Pipeline Broken()
    {
        var numbers = new Numbers(3);
        var shout = new Shout();
        var ping = new Echo().Named("ping");
        var pong = new Echo().Named("pong");
        return new Pipeline("broken",
            numbers["values"] >> shout["text"],
            ping >> pong >> ping);
    }

    /// <summary>numbers → stall (one retry) → sum: the stall waits on its first attempt until its node is killed.</summary>
    [Pipeline]
    public static Pipeline Stalls() => new("stalls", new Numbers(3) >> new Stall().WithRetries(1) >> new Sum());
}
