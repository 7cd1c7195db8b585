using System.Globalization;
using System.Text;
using System.Xml;

namespace Skein.Cli.Reporting;

/// <summary>
/// JUnit XML as CI systems read it: one testcase per task; failed and timed-out tasks are failures, errored and
/// cancelled ones errors, skipped ones skipped. Sub-results go to the testcase's system-out.
/// </summary>
internal static class JUnitReport
{
    public static void Write(RunReport report, Stream stream)
    {
        var counts = Count(report);
        using var xml = XmlWriter.Create(stream, new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) });
        xml.WriteStartDocument();
        xml.WriteStartElement("testsuites");
        xml.WriteAttributeString("name", report.JobName);
        WriteCounts(xml, report, counts);
        xml.WriteStartElement("testsuite");
        xml.WriteAttributeString("name", report.JobName);
        WriteCounts(xml, report, counts);
        xml.WriteAttributeString("timestamp", report.Summary.StartedAt.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture));
        foreach (var result in report.Results)
        {
            xml.WriteStartElement("testcase");
            xml.WriteAttributeString("name", result.TaskId);
            xml.WriteAttributeString("classname", report.JobName);
            xml.WriteAttributeString("time", Seconds(result.Duration));
            switch (result.Outcome)
            {
                case Outcome.Failed or Outcome.TimedOut:
                    Element(xml, "failure", result);
                    break;
                case Outcome.Errored or Outcome.Cancelled:
                    Element(xml, "error", result);
                    break;
                case Outcome.Skipped:
                    xml.WriteStartElement("skipped");
                    xml.WriteAttributeString("message", result.Reason ?? "skipped");
                    xml.WriteEndElement();
                    break;
            }
            var output = SystemOut(result);
            if (output.Length > 0) xml.WriteElementString("system-out", output);
            xml.WriteEndElement();
        }
        xml.WriteEndElement();
        xml.WriteEndElement();
        xml.WriteEndDocument();
    }

    private readonly record struct Counts(int Failures, int Errors, int Skipped);

    private static Counts Count(RunReport report)
    {
        int failures = 0, errors = 0, skipped = 0;
        foreach (var result in report.Results)
        {
            switch (result.Outcome)
            {
                case Outcome.Failed or Outcome.TimedOut: failures++; break;
                case Outcome.Errored or Outcome.Cancelled: errors++; break;
                case Outcome.Skipped: skipped++; break;
            }
        }
        return new Counts(failures, errors, skipped);
    }

    private static void WriteCounts(XmlWriter xml, RunReport report, Counts counts)
    {
        xml.WriteAttributeString("tests", report.Results.Count.ToString(CultureInfo.InvariantCulture));
        xml.WriteAttributeString("failures", counts.Failures.ToString(CultureInfo.InvariantCulture));
        xml.WriteAttributeString("errors", counts.Errors.ToString(CultureInfo.InvariantCulture));
        xml.WriteAttributeString("skipped", counts.Skipped.ToString(CultureInfo.InvariantCulture));
        xml.WriteAttributeString("time", Seconds(report.Summary.Duration));
    }

    private static void Element(XmlWriter xml, string name, TaskResult result)
    {
        xml.WriteStartElement(name);
        xml.WriteAttributeString("type", result.Outcome.ToWireName());
        xml.WriteAttributeString("message", result.Reason ?? result.Outcome.ToWireName());
        if (result.LogPath is not null) xml.WriteString($"log: {result.LogPath}");
        xml.WriteEndElement();
    }

    private static string SystemOut(TaskResult result)
    {
        var text = new StringBuilder();
        if (result.Outcome == Outcome.Warned) text.Append("warned: ").AppendLine(result.Reason ?? "");
        if (result.Reused) text.AppendLine(result.Reason);
        foreach (var sub in result.SubResults)
        {
            text.Append(sub.Outcome.ToWireName()).Append(' ').Append(sub.Name);
            if (sub.Message is not null) text.Append(": ").Append(sub.Message);
            text.AppendLine();
        }
        return text.ToString();
    }

    private static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);
}
