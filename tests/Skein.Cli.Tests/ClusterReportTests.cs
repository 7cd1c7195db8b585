using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Skein.Cli.Tests;

/// <summary>
/// The JUnit and JSON reports of a run on a cluster are those of the same run in this process, retry history
/// included (flakyFailure, rerunFailure, the attempts property, each earlier attempt's log tail).
/// </summary>
public sealed partial class ClusterReportTests
{
    /// <summary>A task that fails its first attempt and passes its second (a marker file), one that never passes, one that passes.</summary>
    private const string FlakyJob = """
        name: retried
        tasks:
          flaky:
            retries: 2
            run: |
              echo "attempt $SKEIN_ATTEMPT says hello"
              if [ -f flaky.once ]; then exit 0; fi
              touch flaky.once; exit 1
          broken:
            retries: 1
            run: echo "broken attempt $SKEIN_ATTEMPT"; exit 4
          fine: { run: "echo quiet" }
        """;

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_flaky_job_gives_the_same_junit_and_json_reports_in_process_and_with_nodes_2()
    {
        using var inProcess = new TempDirectory();
        using var onNodes = new TempDirectory();
        inProcess.Write("job.yaml", FlakyJob);
        onNodes.Write("job.yaml", FlakyJob);

        var local = await SkeinProcess.RunAsync(inProcess.Path, "run", "job.yaml", "--junit", "report.xml", "--json", "report.json");
        var cluster = await SkeinProcess.RunAsync(onNodes.Path, "run", "--nodes", "2", "job.yaml", "--junit", "report.xml", "--json", "report.json");

        Assert.True(local.ExitCode == 1, local.ToString());
        Assert.True(cluster.ExitCode == 1, cluster.ToString());
        Assert.DoesNotContain("show no earlier attempts", cluster.Stderr);

        var expectedXml = Comparable(XDocument.Load(inProcess.File("report.xml")), inProcess.Path);
        var actualXml = Comparable(XDocument.Load(onNodes.File("report.xml")), onNodes.Path);
        Assert.Contains("<flakyFailure message=\"attempt 1 failed: exit code 1", expectedXml);
        Assert.Contains("attempt 1 says hello", expectedXml);
        Assert.Contains("<rerunFailure", expectedXml);
        Assert.Contains("name=\"attempts.flaky\" value=\"2\"", expectedXml);
        Assert.Equal(expectedXml, actualXml);

        var expectedJson = Comparable(JsonNode.Parse(File.ReadAllText(inProcess.File("report.json")))!, inProcess.Path);
        var actualJson = Comparable(JsonNode.Parse(File.ReadAllText(onNodes.File("report.json")))!, onNodes.Path);
        Assert.Contains("\"retried\"", expectedJson);
        Assert.Equal(expectedJson, actualJson);
    }

    /// <summary>The report without what differs between any two runs: times, durations, the run's id, log paths and the directory.</summary>
    private static string Comparable(XDocument report, string directory)
    {
        foreach (var element in report.Descendants().ToList())
        {
            element.Attribute("time")?.Remove();
            element.Attribute("timestamp")?.Remove();
            if (element.Name == "property" && element.Attribute("name")?.Value == "run") element.Remove();
        }
        return LogPath().Replace(report.ToString(), "log: LOG").Replace(directory, "DIR", StringComparison.Ordinal);
    }

    private static string Comparable(JsonNode report, string directory)
    {
        Strip(report);
        return report.ToJsonString().Replace(directory, "DIR", StringComparison.Ordinal);

        static void Strip(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject obj:
                    foreach (var name in new[] { "run", "startedAt", "durationMs", "log" }) obj.Remove(name);
                    foreach (var (_, child) in obj) Strip(child);
                    break;
                case JsonArray array:
                    foreach (var child in array) Strip(child);
                    break;
            }
        }
    }

    [GeneratedRegex(@"log: \S+")]
    private static partial Regex LogPath();
}
