using System.Text.Json;

namespace Skein.Cli.Reporting;

/// <summary>
/// A machine-readable report of a run: the job, counts, and every task with its sub-results, outputs and failed
/// earlier attempts. Text is written as it is, JSON-escaped; only halves of surrogate pairs, which JSON cannot
/// encode, become U+FFFD.
/// </summary>
internal static class JsonReport
{
    public static void Write(RunReport report, Stream stream)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        var summary = report.Summary;
        json.WriteStartObject();
        json.WriteString("job", ReportText.ForJson(report.JobName));
        if (report.SourceFile is { } file) json.WriteString("file", ReportText.ForJson(file));
        json.WriteNumber("run", summary.RunId);
        json.WriteString("status", summary.Status.ToString().ToLowerInvariant());
        json.WriteString("startedAt", summary.StartedAt);
        json.WriteNumber("durationMs", Math.Round(summary.Duration.TotalMilliseconds, 1));
        json.WriteStartObject("counts");
        foreach (var outcome in Enum.GetValues<Outcome>()) json.WriteNumber(outcome.ToWireName(), summary.Count(outcome));
        json.WriteNumber("total", summary.Total);
        json.WriteEndObject();
        json.WriteStartArray("tasks");
        foreach (var result in report.Results)
        {
            json.WriteStartObject();
            json.WriteString("id", ReportText.ForJson(result.TaskId));
            json.WriteString("outcome", result.Outcome.ToWireName());
            if (result.Reason is not null) json.WriteString("reason", ReportText.ForJson(result.Reason));
            json.WriteNumber("attempts", result.Attempts);
            json.WriteNumber("durationMs", Math.Round(result.Duration.TotalMilliseconds, 1));
            if (result.StartedAt is { } started) json.WriteString("startedAt", started);
            if (result.ExitCode is { } exit) json.WriteNumber("exitCode", exit);
            if (result.LogPath is not null) json.WriteString("log", ReportText.ForJson(result.LogPath));
            if (result.Reused) json.WriteBoolean("reused", true);
            var earlier = report.EarlierAttempts(result);
            if (earlier.Count > 0)
            {
                json.WriteStartArray("retried");
                foreach (var attempt in earlier)
                {
                    json.WriteStartObject();
                    json.WriteNumber("attempt", attempt.Attempt);
                    json.WriteString("outcome", attempt.Outcome!.Value.ToWireName());
                    if (attempt.Reason is not null) json.WriteString("reason", ReportText.ForJson(attempt.Reason));
                    if (attempt.LogPath is not null) json.WriteString("log", ReportText.ForJson(attempt.LogPath));
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            if (result.Outputs.Count > 0)
            {
                json.WriteStartObject("outputs");
                foreach (var (name, value) in result.Outputs.OrderBy(p => p.Key, StringComparer.Ordinal)) json.WriteString(ReportText.ForJson(name), ReportText.ForJson(value));
                json.WriteEndObject();
            }
            if (result.Artifacts.Count > 0)
            {
                json.WriteStartArray("artifacts");
                foreach (var artifact in result.Artifacts)
                {
                    json.WriteStartObject();
                    json.WriteString("path", ReportText.ForJson(artifact.Path));
                    json.WriteNumber("size", artifact.Size);
                    json.WriteString("sha256", artifact.Sha256);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            if (result.SubResults.Count > 0)
            {
                json.WriteStartArray("subResults");
                foreach (var sub in result.SubResults)
                {
                    json.WriteStartObject();
                    json.WriteString("name", ReportText.ForJson(sub.Name));
                    json.WriteString("outcome", sub.Outcome.ToWireName());
                    if (sub.Message is not null) json.WriteString("message", ReportText.ForJson(sub.Message));
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
