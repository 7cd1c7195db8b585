using System.Text.RegularExpressions;

namespace Skein.Cli.Tests;

/// <summary>
/// What tasks print, shown while a run goes: off a terminal every line after its task's id (as <c>docker compose</c>
/// shows its services), whole, bounded and escaped; nothing of it with <c>--quiet</c>; the same on a cluster.
/// </summary>
public partial class LiveOutputTests
{
    private const string TwoTasks = """
        name: two
        tasks:
          alpha:
            run: |
              echo "first of alpha"
              printf 'colour \033[31mred\033[0m and a bell \a\n'
              printf 'progress 10%%\rprogress 100%%\n'
              head -c 5000 /dev/zero | tr '\0' y; echo
              printf 'no newline at the end'
          beta-longer:
            needs: [alpha]
            run: echo "beta says hi" >&2
        """;

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Plain_mode_prints_each_line_a_task_prints_after_its_id_before_the_line_saying_it_finished()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", TwoTasks);

        var run = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml");

        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Stdout.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        Assert.Contains("alpha       | first of alpha", lines);
        Assert.Contains("alpha       | colour red and a bell \\x07", lines); // colours dropped, a bell shown, never sent
        Assert.Contains("alpha       | progress 100%", lines); // what a carriage return overwrote is gone
        Assert.Contains("alpha       | no newline at the end", lines);
        Assert.Contains("beta-longer | beta says hi", lines); // stderr too
        var cut = Assert.Single(lines, l => l.StartsWith("alpha       | yyy", StringComparison.Ordinal));
        Assert.Contains("… (3,000 more characters; the whole line is in the task's log)", cut);
        Assert.True(cut.Length < 2200, cut.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(lines.IndexOf("alpha       | no newline at the end") < lines.FindIndex(l => l.Contains("passed    alpha", StringComparison.Ordinal)), run.Stdout);
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Lines_of_tasks_printing_at_once_never_mix_within_a_line()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", """
            name: busy
            tasks:
              t-{{matrix.i}}:
                matrix: { i: [1, 2, 3, 4] }
                run: |
                  i=0
                  while [ $i -lt 1500 ]; do echo "line $i of t-{{matrix.i}} ................................................................"; i=$((i+1)); done
            """);

        var run = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--workers", "4");

        Assert.True(run.ExitCode == 0, run.ToString());
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in run.Stdout.Split('\n'))
        {
            if (!line.StartsWith("t-", StringComparison.Ordinal)) continue;
            var match = OutputLine().Match(line);
            Assert.True(match.Success, $"a mixed line: '{line}'");
            Assert.Equal(match.Groups["task"].Value, match.Groups["own"].Value);
            counts[match.Groups["task"].Value] = counts.GetValueOrDefault(match.Groups["task"].Value) + 1;
        }
        Assert.Equal(4, counts.Count);
        Assert.All(counts.Values, c => Assert.Equal(1500, c));
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Quiet_prints_no_task_output_only_the_progress()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", TwoTasks);

        var run = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--quiet");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.DoesNotContain(" | ", run.Stdout);
        Assert.DoesNotContain("first of alpha", run.Stdout);
        Assert.Contains("passed    alpha", run.Stdout);
        var none = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--output", "none");
        Assert.DoesNotContain("first of alpha", none.Stdout);
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_retried_task_prints_its_later_attempts_with_their_number()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", """
            name: retried
            tasks:
              flaky:
                retries: 1
                run: |
                  echo "attempt $SKEIN_ATTEMPT"
                  [ "$SKEIN_ATTEMPT" = 2 ]
            """);

        var run = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("flaky | attempt 1\n", run.Stdout);
        Assert.Contains("flaky #2 | attempt 2\n", run.Stdout);
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_run_on_nodes_2_streams_the_lines_of_tasks_on_both_nodes()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", """
            name: spread
            tasks:
              one:
                on: { node: node-1 }
                run: |
                  echo "one ran on $SKEIN_NODE"
                  echo "one again" >&2
              two:
                on: { node: node-2 }
                run: echo "two ran on $SKEIN_NODE"
            """);

        var run = await SkeinProcess.RunAsync(dir.Path, "run", "--nodes", "2", "job.yaml");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("one | one ran on node-1\n", run.Stdout);
        Assert.Contains("one | one again\n", run.Stdout);
        Assert.Contains("two | two ran on node-2\n", run.Stdout);
        var quiet = await SkeinProcess.RunAsync(dir.Path, "run", "--nodes", "2", "job.yaml", "-q");
        Assert.True(quiet.ExitCode == 0, quiet.ToString());
        Assert.DoesNotContain("ran on", quiet.Stdout);
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Quiet_with_another_output_mode_is_bad_input()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", TwoTasks);

        var run = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--quiet", "--output", "stream");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("skein: --quiet shows no task output: it cannot go with --output stream", run.Stderr);
    }

    [GeneratedRegex(@"^(?<task>t-\d) +\| line \d+ of (?<own>t-\d) \.{64}$")]
    private static partial Regex OutputLine();
}
