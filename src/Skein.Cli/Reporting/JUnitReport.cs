using System.Globalization;
using System.Text;
using System.Xml;
using Skein.Engine.Journal;

namespace Skein.Cli.Reporting;

/// <summary>
/// JUnit XML as CI systems read it, valid against the Jenkins xUnit plugin's junit-10.xsd.
/// </summary>
/// <remarks>
/// <para>One <c>testsuite</c> named after the job holds a <c>testcase</c> per task without sub-results. A task with
/// sub-results gets a <c>testsuite</c> of its own with a <c>testcase</c> per sub-result, so dashboards count and track
/// them; the task itself appears there as a case only when something of its own is to be said (it ended worse than its
/// sub-results, or it was retried). Failed and timed-out are failures, errored and cancelled errors, skipped skipped.</para>
/// <para>Retries read as Maven Surefire writes them: a task that passed after failing has a <c>flakyFailure</c> or
/// <c>flakyError</c> per failed attempt, one that failed in the end a <c>rerunFailure</c> or <c>rerunError</c> per earlier
/// attempt; the attempt count is a property. The tail of a task's log (stdout and stderr as they came, in one log)
/// goes in <c>system-out</c> for every task that did not pass, within a budget for the whole report.</para>
/// <para>Every text goes through <see cref="ReportText.ForXml"/>: nothing a task prints can make the file unwritable.</para>
/// </remarks>
internal static class JUnitReport
{
    /// <summary>How much of a task's last log a report shows.</summary>
    internal const int TailBytes = 16 * 1024;

    /// <summary>How much of an earlier attempt's log a report shows.</summary>
    internal const int RerunTailBytes = 4 * 1024;

    /// <summary>How much log text one report holds in all; past it, reports point at the logs instead.</summary>
    internal const int TotalTailBytes = 4 * 1024 * 1024;

    public static void Write(RunReport report, Stream stream)
    {
        var suites = Suites(report);
        var budget = new TailBudget();
        using var xml = XmlWriter.Create(stream, new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) });
        xml.WriteStartDocument();
        xml.WriteStartElement("testsuites");
        Attribute(xml, "name", report.JobName);
        // junit-10.xsd allows no skipped count (and no timestamp) on the root.
        var total = default(Counts);
        foreach (var suite in suites) total += suite.Counts;
        Attribute(xml, "tests", Number(total.Tests));
        Attribute(xml, "failures", Number(total.Failures));
        Attribute(xml, "errors", Number(total.Errors));
        Attribute(xml, "time", Seconds(report.Summary.Duration));
        foreach (var suite in suites) WriteSuite(xml, report, suite, budget);
        xml.WriteEndElement();
        xml.WriteEndDocument();
    }

    /// <summary>One case as it will be written: a task, or one sub-result of a task.</summary>
    private sealed record Case(string Name, string ClassName, TimeSpan Duration, Outcome Outcome, string? Message, TaskResult Task, bool IsTask);

    private sealed record Suite(string Name, DateTimeOffset StartedAt, TimeSpan Duration, List<Case> Cases, TaskResult? Task)
    {
        public Counts Counts
        {
            get
            {
                var counts = default(Counts);
                foreach (var c in Cases) counts += Counts.Of(c.Outcome);
                return counts;
            }
        }
    }

    private readonly record struct Counts(int Tests, int Failures, int Errors, int Skipped)
    {
        public static Counts Of(Outcome outcome) => outcome switch
        {
            Outcome.Failed or Outcome.TimedOut => new(1, 1, 0, 0),
            Outcome.Errored or Outcome.Cancelled => new(1, 0, 1, 0),
            Outcome.Skipped => new(1, 0, 0, 1),
            _ => new(1, 0, 0, 0),
        };

        public static Counts operator +(Counts a, Counts b) =>
            new(a.Tests + b.Tests, a.Failures + b.Failures, a.Errors + b.Errors, a.Skipped + b.Skipped);
    }

    private static List<Suite> Suites(RunReport report)
    {
        var job = report.JobName;
        var jobCases = new List<Case>();
        var suites = new List<Suite> { new(job, report.Summary.StartedAt, report.Summary.Duration, jobCases, null) };
        foreach (var result in report.Results)
        {
            if (result.SubResults.Count == 0)
            {
                var (className, name) = report.CaseNames?.Invoke(result.TaskId) ?? (job, result.TaskId);
                jobCases.Add(new Case(name, className, result.Duration, result.Outcome, result.Reason, result, IsTask: true));
                continue;
            }
            var cases = new List<Case>();
            foreach (var sub in result.SubResults) cases.Add(new Case(sub.Name, result.TaskId, TimeSpan.Zero, sub.Outcome, sub.Message, result, IsTask: false));
            var worstSub = Outcome.Passed;
            foreach (var sub in result.SubResults) worstSub = worstSub.CombineWithSubResult(sub.Outcome);
            var ownProblem = result.Outcome != worstSub && !result.Outcome.IsSuccess();
            if (ownProblem || report.EarlierAttempts(result).Count > 0)
            {
                // The task's own say: a failure its sub-results do not explain, or its retries.
                cases.Add(new Case(result.TaskId, result.TaskId, result.Duration, ownProblem ? result.Outcome : Outcome.Passed,
                    result.Reason, result, IsTask: true));
            }
            suites.Add(new Suite(result.TaskId, result.StartedAt ?? report.Summary.StartedAt, result.Duration, cases, result));
        }
        return suites;
    }

    private static void WriteSuite(XmlWriter xml, RunReport report, Suite suite, TailBudget budget)
    {
        var counts = suite.Counts;
        xml.WriteStartElement("testsuite");
        Attribute(xml, "name", suite.Name);
        Attribute(xml, "tests", Number(counts.Tests));
        Attribute(xml, "failures", Number(counts.Failures));
        Attribute(xml, "errors", Number(counts.Errors));
        Attribute(xml, "skipped", Number(counts.Skipped));
        Attribute(xml, "time", Seconds(suite.Duration));
        Attribute(xml, "timestamp", Timestamp(suite.StartedAt));

        xml.WriteStartElement("properties");
        if (suite.Task is { } task)
        {
            Property(xml, "outcome", task.Outcome.ToWireName());
            Property(xml, "attempts", Number(task.Attempts));
        }
        else
        {
            Property(xml, "run", Number(report.Summary.RunId));
            if (report.SourceFile is { } file) Property(xml, "file", file);
            // Cases cannot hold properties in junit-10.xsd: the attempts of retried tasks are told here.
            foreach (var c in suite.Cases)
            {
                if (c.Task.Attempts > 1) Property(xml, $"attempts.{c.Name}", Number(c.Task.Attempts));
            }
        }
        xml.WriteEndElement();

        foreach (var c in suite.Cases) WriteCase(xml, report, c, budget, outputHere: suite.Task is null);
        if (suite.Task is { } owner && Output(owner, budget) is { Length: > 0 } output) Element(xml, "system-out", output);
        xml.WriteEndElement();
    }

    private static void WriteCase(XmlWriter xml, RunReport report, Case c, TailBudget budget, bool outputHere)
    {
        xml.WriteStartElement("testcase");
        Attribute(xml, "name", c.Name);
        Attribute(xml, "classname", c.ClassName);
        Attribute(xml, "time", Seconds(c.Duration));
        switch (c.Outcome)
        {
            case Outcome.Failed or Outcome.TimedOut:
                Problem(xml, "failure", c);
                break;
            case Outcome.Errored or Outcome.Cancelled:
                Problem(xml, "error", c);
                break;
            case Outcome.Skipped:
                xml.WriteStartElement("skipped");
                Attribute(xml, "message", c.Message ?? "skipped");
                xml.WriteEndElement();
                break;
        }
        if (c.IsTask) WriteEarlierAttempts(xml, report, c.Task, budget);
        if (c.IsTask && outputHere && Output(c.Task, budget) is { Length: > 0 } output) Element(xml, "system-out", output);
        xml.WriteEndElement();
    }

    /// <summary>Surefire's way: flakyFailure/flakyError when the task passed in the end, rerunFailure/rerunError when it did not.</summary>
    private static void WriteEarlierAttempts(XmlWriter xml, RunReport report, TaskResult task, TailBudget budget)
    {
        var passedInTheEnd = task.Outcome.IsSuccess();
        foreach (var attempt in report.EarlierAttempts(task))
        {
            var outcome = attempt.Outcome!.Value;
            var isFailure = outcome is Outcome.Failed or Outcome.TimedOut;
            var name = (passedInTheEnd, isFailure) switch
            {
                (true, true) => "flakyFailure",
                (true, false) => "flakyError",
                (false, true) => "rerunFailure",
                (false, false) => "rerunError",
            };
            xml.WriteStartElement(name);
            Attribute(xml, "message", $"attempt {attempt.Attempt} {outcome.ToWireName()}{(attempt.Reason is null ? "" : ": " + attempt.Reason)}");
            Attribute(xml, "type", outcome.ToWireName());
            if (budget.Take(LogTail.Read(attempt.LogPath, RerunTailBytes), attempt.LogPath) is { Length: > 0 } tail) Element(xml, "system-out", tail);
            xml.WriteEndElement();
        }
    }

    private static void Problem(XmlWriter xml, string element, Case c)
    {
        xml.WriteStartElement(element);
        Attribute(xml, "type", c.Outcome.ToWireName());
        Attribute(xml, "message", c.Message ?? c.Outcome.ToWireName());
        if (c.IsTask && c.Task.LogPath is not null) xml.WriteString(ReportText.ForXml($"log: {c.Task.LogPath}"));
        xml.WriteEndElement();
    }

    /// <summary>What the task's case (or suite) says besides its outcome: notes, then the tail of its log unless it passed.</summary>
    private static string Output(TaskResult result, TailBudget budget)
    {
        var text = new StringBuilder();
        if (result.Outcome == Outcome.Warned) text.Append("warned: ").AppendLine(result.Reason ?? "");
        if (result.Reused) text.AppendLine(result.Reason);
        if (result.Outcome != Outcome.Passed && budget.Take(LogTail.Read(result.LogPath, TailBytes), result.LogPath) is { Length: > 0 } tail)
        {
            if (text.Length > 0) text.AppendLine();
            text.Append(tail);
        }
        return text.ToString();
    }

    /// <summary>Keeps the whole report's log text under <see cref="TotalTailBytes"/>.</summary>
    private sealed class TailBudget
    {
        private long _left = TotalTailBytes;

        public string? Take(string? tail, string? logPath)
        {
            if (tail is null) return null;
            if (tail.Length <= _left)
            {
                _left -= tail.Length;
                return tail;
            }
            return $"(output left out: this report already holds {TotalTailBytes / (1024 * 1024)} MiB of logs; see {logPath})";
        }
    }

    private static void Attribute(XmlWriter xml, string name, string value) => xml.WriteAttributeString(name, ReportText.ForXml(value));

    private static void Element(XmlWriter xml, string name, string value) => xml.WriteElementString(name, ReportText.ForXml(value));

    private static void Property(XmlWriter xml, string name, string value)
    {
        xml.WriteStartElement("property");
        Attribute(xml, "name", name);
        Attribute(xml, "value", value);
        xml.WriteEndElement();
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>ISO 8601 with the offset, so a reader in another zone places it right.</summary>
    private static string Timestamp(DateTimeOffset time) => time.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);

    private static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);
}
