using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using Skein.Cli.Reporting;
using Skein.Engine;

namespace Skein.Cli.Tests;

/// <summary>The JUnit and JSON reports of <c>skein run</c>: always written when they can be, valid, and telling.</summary>
public class ReportTests
{
    /// <summary>Every C0 control but NUL and line feed, which a shell variable or a line cannot hold.</summary>
    private const string C0 = @"\001\002\003\004\005\006\007\010\011\013\014\015\016\017\020\021\022\023\024\025\026\027\030\031\032\033\034\035\036\037";

    /// <summary>Bytes that are not UTF-8: stray bytes, surrogates encoded alone (high and low), an overlong form, a cut sequence, U+FFFE, DEL.</summary>
    private const string BadBytes = @"\377\376 \355\240\200 \355\260\200 \300\200 \342\202 \357\277\276 \177";

    [Fact]
    public async Task Every_character_class_a_task_can_print_reaches_both_reports_which_stay_valid()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("noise.sh"), $$"""
            c0=$(printf '{{C0}}')
            printf '::output ctl=%s\n' "$c0"
            printf '::result name=controls outcome=failed message="%s \033[1;31mred\033[0m"\n' "$c0"
            printf '::result name=bytes outcome=failed message="{{BadBytes}}"\n'
            printf '::result name=nul outcome=warned message="a\000b"\n'
            printf '::result name=na\033me outcome=passed\n'
            printf 'log: %s {{BadBytes}} nul:\000:\n' "$c0"
            printf '%s \033[31mfatal {{BadBytes}}\n' "$c0" >&2
            exit 3
            """);
        dir.Write("job.yaml", """
            name: "noisy\x07job"
            tasks:
              "noise\x1b[0m":
                run: bash noise.sh
              plain:
                run: printf 'ok\n'
            """);

        var result = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--state", dir.File("state"), "--plain",
            "--junit", dir.File("report.xml"), "--json", dir.File("report.json"));

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.DoesNotContain("internal error", result.Stderr);

        var xml = File.ReadAllText(dir.File("report.xml"));
        Validate(dir.File("report.xml"));
        Assert.DoesNotContain('\u001b', xml);
        Assert.Contains(@"\x01\x02\x03", xml);
        Assert.Contains("red", xml);
        Assert.DoesNotContain("[1;31m", xml); // colour codes are dropped whole
        Assert.Contains('\uFFFD', xml);
        var report = XDocument.Parse(xml);
        var suite = report.Root!.Elements("testsuite").Single(s => s.Attribute("name")!.Value.StartsWith("noise", StringComparison.Ordinal));
        Assert.Equal(["controls", "bytes", "nul", @"na\x1bme"], suite.Elements("testcase").Select(c => c.Attribute("name")!.Value));
        Assert.Contains("nul:\\x00:", suite.Element("system-out")!.Value); // the log's NUL, shown
        Assert.Contains("fatal", suite.Element("system-out")!.Value);

        using var json = JsonDocument.Parse(File.ReadAllText(dir.File("report.json")));
        Assert.Equal("noisy\u0007job", json.RootElement.GetProperty("job").GetString());
        var task = json.RootElement.GetProperty("tasks")[0];
        Assert.Equal("noise\u001b[0m", task.GetProperty("id").GetString());
        Assert.StartsWith("\u0001\u0002\u0003", task.GetProperty("outputs").GetProperty("ctl").GetString());
        var messages = task.GetProperty("subResults").EnumerateArray().Select(s => s.TryGetProperty("message", out var m) ? m.GetString() : null).ToList();
        Assert.Contains("\u001b[1;31mred", messages[0]);
        Assert.Contains('\uFFFD', messages[1]!);
        Assert.Equal("a\0b", messages[2]);
    }

    [Fact]
    public async Task Lone_surrogates_from_csharp_tasks_are_replaced_in_both_reports()
    {
        using var dir = new TempDirectory();
        var job = new Job("surrogates\ud800")
            .Add(new TaskSpec
            {
                Id = "low\udc00",
                Action = DelegateAction.From(ctx =>
                {
                    ctx.Report("case\ud800", Outcome.Failed, "half \udc00 pair \ud83d\ude00 whole");
                    ctx.SetOutput("v", "x\ud800");
                }),
            });
        await using var run = await JobRun.StartAsync(job, new RunOptions { StateDirectory = dir.File("state") }, TestContext.Current.CancellationToken);
        var results = new List<TaskResult>();
        await foreach (var e in run.ReadEventsAsync(TestContext.Current.CancellationToken))
        {
            if (e is TaskFinished finished) results.Add(finished.Result);
        }
        var report = new RunReport(job.Name, job.SourceFile, job.Tasks.Select(t => t.Id).ToList(), RunTotals.From(await run.Completion), results);

        using (var stream = File.Create(dir.File("report.xml"))) JUnitReport.Write(report, stream);
        using (var stream = File.Create(dir.File("report.json"))) JsonReport.Write(report, stream);

        Validate(dir.File("report.xml"));
        var xml = File.ReadAllText(dir.File("report.xml"));
        Assert.Contains("half \uFFFD pair \ud83d\ude00 whole", xml);
        using var json = JsonDocument.Parse(File.ReadAllText(dir.File("report.json")));
        Assert.Equal("surrogates\uFFFD", json.RootElement.GetProperty("job").GetString());
        Assert.Equal("x\uFFFD", json.RootElement.GetProperty("tasks")[0].GetProperty("outputs").GetProperty("v").GetString());
    }

    [Theory]
    [InlineData("true", 0)]
    [InlineData("exit 1", 1)]
    public async Task A_report_that_cannot_be_written_is_an_error_on_stderr_and_the_exit_code_stays_the_runs(string command, int exitCode)
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", $"name: unwritable\ntasks:\n  only: {{ run: \"{command}\" }}\n");

        // /dev/null is a file: no directory can be made under it.
        var result = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--state", dir.File("state"), "--plain",
            "--junit", "/dev/null/report.xml", "--json", dir.File("report.json"));

        Assert.True(result.ExitCode == exitCode, result.ToString());
        Assert.Contains("skein: the JUnit report was not written: cannot write report '/dev/null/report.xml'", result.Stderr);
        Assert.True(File.Exists(dir.File("report.json")), "the other report was not written");
    }

    [Fact]
    public async Task Sub_results_retries_output_and_timestamps_are_in_the_junit_report_as_ci_reads_them()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", """
            name: ci
            tasks:
              suite:
                run: |
                  echo '::result name=login outcome=passed'
                  echo '::result name=checkout outcome=failed message="expected 200, got 500"'
                  echo '::result name=upload outcome=errored message="no disk"'
                  echo '::result name=gpu outcome=skipped'
              flaky:
                retries: 2
                run: |
                  echo "attempt $SKEIN_ATTEMPT says hello"
                  echo try >> tries
                  test $(wc -l < tries) -ge 2
              broken:
                retries: 1
                run: echo "broken attempt $SKEIN_ATTEMPT"; exit 4
              loud:
                run: |
                  head -c 100000 /dev/zero | tr '\0' 'y' | fold -w 99
                  echo 'the very end'
                  exit 1
              fine: { run: "echo quiet" }
            """);

        var result = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--state", dir.File("state"), "--plain", "--junit", dir.File("report.xml"));

        Assert.True(result.ExitCode == 1, result.ToString());
        Validate(dir.File("report.xml"));
        var root = XDocument.Load(dir.File("report.xml")).Root!;
        Assert.Null(root.Attribute("skipped"));

        // The job's suite: a case per task without sub-results.
        var job = root.Elements("testsuite").Single(s => s.Attribute("name")!.Value == "ci");
        Assert.Equal(["flaky", "broken", "loud", "fine"], job.Elements("testcase").Select(c => c.Attribute("name")!.Value));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$", job.Attribute("timestamp")!.Value);
        var properties = job.Element("properties")!.Elements("property").ToDictionary(p => p.Attribute("name")!.Value, p => p.Attribute("value")!.Value);
        Assert.Equal("2", properties["attempts.flaky"]);
        Assert.Equal("2", properties["attempts.broken"]);

        var flaky = Case(job, "flaky");
        Assert.Null(flaky.Element("failure"));
        var flakyFailure = Assert.Single(flaky.Elements("flakyFailure"));
        Assert.Equal("failed", flakyFailure.Attribute("type")!.Value);
        Assert.StartsWith("attempt 1 failed: exit code 1", flakyFailure.Attribute("message")!.Value);
        Assert.Contains("attempt 1 says hello", flakyFailure.Element("system-out")!.Value);

        var broken = Case(job, "broken");
        Assert.Contains("exit code 4: broken attempt 2", broken.Element("failure")!.Attribute("message")!.Value);
        var rerun = Assert.Single(broken.Elements("rerunFailure"));
        Assert.Contains("broken attempt 1", rerun.Element("system-out")!.Value);
        Assert.Contains("broken attempt 2", broken.Element("system-out")!.Value);

        var loud = Case(job, "loud").Element("system-out")!.Value;
        Assert.EndsWith("the very end\n", loud);
        Assert.InRange(Encoding.UTF8.GetByteCount(loud), 8 * 1024, JUnitReport.TailBytes + 512);
        Assert.Contains("the whole log is", loud);
        Assert.Null(Case(job, "fine").Element("system-out")); // what passed keeps its output in its log

        // A suite of its own for the task with sub-results, a case per sub-result.
        var suite = root.Elements("testsuite").Single(s => s.Attribute("name")!.Value == "suite");
        Assert.Equal(["login", "checkout", "upload", "gpu"], suite.Elements("testcase").Select(c => c.Attribute("name")!.Value));
        Assert.Equal(("4", "1", "1", "1"), (suite.Attribute("tests")!.Value, suite.Attribute("failures")!.Value, suite.Attribute("errors")!.Value, suite.Attribute("skipped")!.Value));
        Assert.Equal("no disk", Case(suite, "upload").Element("error")!.Attribute("message")!.Value);
        Assert.Matches(@"[+-]\d\d:\d\d$", suite.Attribute("timestamp")!.Value);

        // Totals are the cases', counted once.
        Assert.Equal("8", root.Attribute("tests")!.Value);
        Assert.Equal("3", root.Attribute("failures")!.Value);
        Assert.Equal("1", root.Attribute("errors")!.Value);
    }

    private static XElement Case(XElement suite, string name) => suite.Elements("testcase").Single(c => c.Attribute("name")!.Value == name);

    [Fact]
    public void The_schema_check_refuses_what_older_reports_wrote()
    {
        using var dir = new TempDirectory();
        dir.Write("old.xml", """<testsuites name="j" tests="1" failures="0" errors="0" skipped="0" time="0.1"><testsuite name="j" tests="1" failures="0" errors="0"><testcase name="t"/></testsuite></testsuites>""");
        var problems = SchemaProblems(dir.File("old.xml"));
        Assert.Contains(problems, p => p.Contains("'skipped' attribute is not declared", StringComparison.Ordinal));
    }

    /// <summary>Validates against the Jenkins xUnit plugin's junit-10.xsd (also failing on anything that is not well-formed XML).</summary>
    internal static void Validate(string path)
    {
        var problems = SchemaProblems(path);
        Assert.True(problems.Count == 0, "the report breaks junit-10.xsd:\n" + string.Join("\n", problems) + "\n" + File.ReadAllText(path));
    }

    private static List<string> SchemaProblems(string path)
    {
        var schemas = new XmlSchemaSet();
        schemas.Add(null, Path.Combine(AppContext.BaseDirectory, "Assets", "junit-10.xsd"));
        var problems = new List<string>();
        var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema, Schemas = schemas, ValidationFlags = XmlSchemaValidationFlags.ReportValidationWarnings };
        settings.ValidationEventHandler += (_, e) => problems.Add($"{e.Severity} at {e.Exception?.LineNumber}:{e.Exception?.LinePosition}: {e.Message}");
        using (var reader = XmlReader.Create(path, settings))
        {
            while (reader.Read()) { }
        }
        return problems;
    }
}
