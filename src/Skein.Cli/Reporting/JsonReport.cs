using System.Text.Json;

namespace Skein.Cli.Reporting;

/// <summary>A machine-readable report of a run: the job, counts, and every task with its sub-results.</summary>
internal static class JsonReport
{
    public static void Write(RunReport report, Stream stream)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        var summary = report.Summary;
        json.WriteStartObject();
        json.WriteString("job", report.JobName);
        if (report.SourceFile is { } file) json.WriteString("file", file);
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
            json.WriteString("id", result.TaskId);
            json.WriteString("outcome", result.Outcome.ToWireName());
            if (result.Reason is not null) json.WriteString("reason", result.Reason);
            json.WriteNumber("attempts", result.Attempts);
            json.WriteNumber("durationMs", Math.Round(result.Duration.TotalMilliseconds, 1));
            if (result.StartedAt is { } started) json.WriteString("startedAt", started);
            if (result.ExitCode is { } exit) json.WriteNumber("exitCode", exit);
            if (result.LogPath is not null) json.WriteString("log", result.LogPath);
            if (result.Reused) json.WriteBoolean("reused", true);
            if (result.SubResults.Count > 0)
            {
                json.WriteStartArray("subResults");
                foreach (var sub in result.SubResults)
                {
                    json.WriteStartObject();
                    json.WriteString("name", sub.Name);
                    json.WriteString("outcome", sub.Outcome.ToWireName());
                    if (sub.Message is not null) json.WriteString("message", sub.Message);
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
