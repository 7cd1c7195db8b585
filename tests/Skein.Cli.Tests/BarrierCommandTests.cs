namespace Skein.Cli.Tests;

/// <summary><c>skein barrier</c> and <c>skein exchange</c> from shell experiments of <c>skein test</c>, on two nodes.</summary>
public class BarrierCommandTests
{
    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Two_shell_experiments_on_two_nodes_meet_exchange_contexts_and_a_lonely_one_is_told_who_is_missing()
    {
        using var dir = new TempDirectory();
        dir.Write("suites/meet/suite.yaml", "name: meet\ndefaults: { timeout: 3m }\n");
        const string Meet = """
            set -e
            "$SKEIN_CLI" exchange meeting --count 2 --context "$SKEIN_EXPERIMENT on $SKEIN_NODE" --timeout 2m > "$SKEIN_SCRATCH/contexts"
            cat "$SKEIN_SCRATCH/contexts"
            "$SKEIN_CLI" barrier done --count 2 --timeout 2m
            """;
        dir.Write("suites/meet/left.sh", "# skein: on: { node: node-1 }\n" + Meet);
        dir.Write("suites/meet/right.sh", "# skein: on: { node: node-2 }\n" + Meet);
        dir.Write("suites/meet/lonely.sh", """
            if "$SKEIN_CLI" barrier alone --participants meet::lonely meet::ghost --timeout 1s 2> "$SKEIN_SCRATCH/error"; then
              echo 'the barrier released with one of two'; exit 1
            fi
            cat "$SKEIN_SCRATCH/error"
            grep -q "missing meet::ghost" "$SKEIN_SCRATCH/error"
            """);
        dir.Write("test.yaml", "name: barriers\nsuites: [suites]\ncluster: { nodes: 2 }\nparallelism: 4\n");
        var state = dir.File("state");

        var run = await SkeinProcess.RunAsync(dir.Path, "test", "test.yaml", "--state", state, "--output", "none");

        Assert.True(run.ExitCode == 0, run.ToString());
        foreach (var side in new[] { "left", "right" })
        {
            var contexts = File.ReadAllLines(Path.Combine(state, "test", "barriers", "scratch", "meet", side, "contexts")).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(["meet::left\tmeet::left on node-1", "meet::right\tmeet::right on node-2"], contexts);
        }
        var lonely = File.ReadAllText(Path.Combine(state, "test", "barriers", "scratch", "meet", "lonely", "error"));
        Assert.Contains("skein: barrier 'alone' timed out after 1s: 1 of 2 arrived (meet::lonely); missing meet::ghost", lonely);
    }

    [Fact]
    public async Task Count_and_participants_are_one_or_the_other()
    {
        using var dir = new TempDirectory();

        var neither = await SkeinProcess.RunAsync(dir.Path, "barrier", "ready", "--cluster", "127.0.0.1:1");
        var exchangeWithoutContext = await SkeinProcess.RunAsync(dir.Path, "exchange", "ready", "--count", "2", "--cluster", "127.0.0.1:1");

        Assert.True(neither.ExitCode == 2, neither.ToString());
        Assert.Contains("give either --count N or --participants NAME…", neither.Stderr);
        Assert.True(exchangeWithoutContext.ExitCode == 2, exchangeWithoutContext.ToString());
        Assert.Contains("'skein exchange' needs --context TEXT", exchangeWithoutContext.Stderr);
    }
}
