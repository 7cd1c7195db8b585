using System.Text;
using Microsoft.Extensions.Time.Testing;
using Skein.Modules.Process;

namespace Skein.Cluster.Tests.Modules;

/// <summary>The per-second budgets of a module process — unsolicited frames, stderr lines — on a fake clock.</summary>
public sealed class FloodLimitTests
{
    [Fact]
    public void Frames_over_the_budget_within_one_second_are_a_flood_and_the_next_second_starts_afresh()
    {
        var clock = new FakeTimeProvider();
        var guard = new FloodGuard(maxFrames: 3, maxBytes: 1_000_000, clock);

        Assert.Null(guard.Count(10));
        Assert.Null(guard.Count(10));
        Assert.Null(guard.Count(10));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(guard.Count(10));
        Assert.Null(guard.Count(10));
        Assert.Null(guard.Count(10));
        var flood = guard.Count(10);

        Assert.StartsWith("flooded stdout: more than 3 frames", flood, StringComparison.Ordinal);
    }

    [Fact]
    public void Bytes_over_the_budget_are_a_flood_even_in_few_frames()
    {
        var guard = new FloodGuard(maxFrames: 1000, maxBytes: 100, new FakeTimeProvider());

        Assert.Null(guard.Count(60));
        var flood = guard.Count(60);

        Assert.Equal("flooded stdout: 120 bytes of frames it was not asked for (log, event or unknown answers) within 1 s, over the limit of 100", flood);
    }

    [Fact]
    public async Task Stderr_lines_over_the_budget_are_dropped_and_counted_and_long_lines_are_cut()
    {
        var clock = new FakeTimeProvider();
        var options = new ProcessModuleOptions { MaxStderrLinesPerSecond = 5, MaxStderrLineLength = 100, Time = clock };
        var text = new StringBuilder();
        text.Append(new string('x', 250)).Append('\n');
        for (var i = 0; i < 20; i++) text.Append("line ").Append(i).Append("\r\n");
        text.Append("no newline at the end");
        var logged = new List<string>();
        var dropped = new List<int>();
        var tail = new StderrTail();
        var pump = new StderrPump(tail, options, logged.Add, dropped.Add);

        pump.Start(new MemoryStream(Encoding.UTF8.GetBytes(text.ToString())));
        await pump.Completion.WaitAsync(TestPatience.Ceiling, TestContext.Current.CancellationToken);

        Assert.Equal(5, logged.Count);
        Assert.Equal(new string('x', 100) + "… (150 more characters cut)", logged[0]);
        Assert.Equal("line 3", logged[4]); // the carriage return is gone
        Assert.Equal([17], dropped); // 20 lines and the last, unterminated one, less the 4 logged after the long line
        Assert.EndsWith("no newline at the end", tail.ToString(), StringComparison.Ordinal); // the tail keeps every line
    }
}
