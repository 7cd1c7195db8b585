using System.Globalization;
using System.Text;

namespace Skein.Cli.Suites;

/// <summary>
/// How a tag says what it is. A requirement is <c>req:ID</c> (the id is what follows) or an id starting <c>REQ-</c>;
/// a design element <c>design:ID</c> or <c>DES-…</c>; a test case <c>tc:ID</c> or <c>TC-…</c> (prefixes in any case).
/// Other tags (smoke, slow) are plain labels.
/// </summary>
internal static class TestTags
{
    public static string? Requirement(string tag) => Id(tag, "req:", "REQ-");
    public static string? Design(string tag) => Id(tag, "design:", "DES-");
    public static string? TestCase(string tag) => Id(tag, "tc:", "TC-");

    private static string? Id(string tag, string prefix, string idPrefix)
    {
        if (tag.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && tag.Length > prefix.Length) return tag[prefix.Length..];
        return tag.StartsWith(idPrefix, StringComparison.OrdinalIgnoreCase) && tag.Length > idPrefix.Length ? tag : null;
    }
}

/// <summary>An experiment the plan covers: its id, what it says it does, and its tags.</summary>
internal sealed record PlannedExperiment(string Id, string? Description, IReadOnlyList<string> Tags);

/// <summary>One row of the plan: a requirement (empty for experiments that name none), an experiment, and how it last went.</summary>
internal sealed record PlanRow(string Requirement, PlannedExperiment Experiment, IReadOnlyList<string> Designs, IReadOnlyList<string> TestCases,
    RecordedResult? Last)
{
    public string LastOutcome => Last?.Outcome ?? "not run";
}

/// <summary>The test plan: requirement → experiments → last outcome, written as Markdown or CSV.</summary>
internal static class TestPlan
{
    public const string NoRequirement = "(none)";

    /// <summary>A row per requirement and experiment that names it, requirements in order; experiments naming none come last.</summary>
    public static List<PlanRow> Build(IEnumerable<PlannedExperiment> experiments, IReadOnlyDictionary<string, RecordedResult> latest)
    {
        var rows = new List<PlanRow>();
        foreach (var experiment in experiments)
        {
            var requirements = experiment.Tags.Select(TestTags.Requirement).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
            var designs = experiment.Tags.Select(TestTags.Design).OfType<string>().ToList();
            var cases = experiment.Tags.Select(TestTags.TestCase).OfType<string>().ToList();
            var last = latest.GetValueOrDefault(experiment.Id);
            if (requirements.Count == 0) requirements.Add("");
            foreach (var requirement in requirements) rows.Add(new PlanRow(requirement, experiment, designs, cases, last));
        }
        return rows
            .OrderBy(r => r.Requirement.Length == 0)
            .ThenBy(r => r.Requirement, StringComparer.Ordinal)
            .ThenBy(r => r.Experiment.Id, StringComparer.Ordinal)
            .ToList();
    }

    public static void WriteMarkdown(string title, IReadOnlyList<PlanRow> rows, TextWriter output)
    {
        output.WriteLine($"# Test plan: {Cell(title)}");
        output.WriteLine();
        var requirements = rows.Select(r => r.Requirement).Distinct().ToList();
        var covered = requirements.Count(r => r.Length > 0);
        var passing = rows.Where(r => r.Requirement.Length > 0).GroupBy(r => r.Requirement).Count(g => g.All(r => TestOutcomes.IsGood(r.LastOutcome)));
        output.WriteLine($"{covered} requirement{(covered == 1 ? "" : "s")}, {passing} with every experiment as expected in its last run.");
        foreach (var group in rows.GroupBy(r => r.Requirement))
        {
            output.WriteLine();
            output.WriteLine($"## {(group.Key.Length == 0 ? "Experiments naming no requirement" : Cell(group.Key))}");
            output.WriteLine();
            output.WriteLine("| Experiment | Description | Design | Test cases | Last outcome | Last run |");
            output.WriteLine("|---|---|---|---|---|---|");
            foreach (var row in group)
            {
                output.WriteLine($"| {Cell(row.Experiment.Id)} | {Cell(row.Experiment.Description ?? "")} | {Cell(string.Join(", ", row.Designs))} | " +
                    $"{Cell(string.Join(", ", row.TestCases))} | {row.LastOutcome} | {LastRun(row.Last)} |");
            }
        }
    }

    public static void WriteCsv(IReadOnlyList<PlanRow> rows, TextWriter output)
    {
        output.WriteLine("requirement,experiment,description,design,test_cases,last_outcome,last_run,started_at,commit");
        foreach (var row in rows)
        {
            output.WriteLine(string.Join(',',
                Csv(row.Requirement), Csv(row.Experiment.Id), Csv(row.Experiment.Description ?? ""), Csv(string.Join(' ', row.Designs)),
                Csv(string.Join(' ', row.TestCases)), Csv(row.LastOutcome), row.Last?.RunId.ToString(CultureInfo.InvariantCulture) ?? "",
                row.Last?.StartedAt.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "", Csv(row.Last?.Commit ?? "")));
        }
    }

    private static string LastRun(RecordedResult? last) => last is null
        ? "-"
        : $"{last.StartedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC{(last.Commit is { } commit ? $" at {commit[..Math.Min(12, commit.Length)]}" : "")}";

    /// <summary>Text safe in a Markdown table cell: one line, pipes escaped.</summary>
    private static string Cell(string text) => text.ReplaceLineEndings(" ").Replace("|", "\\|", StringComparison.Ordinal);

    /// <summary>RFC 4180: quoted when it holds a comma, quote or line break; a leading formula character is defused for spreadsheets.</summary>
    private static string Csv(string text)
    {
        if (text.Length > 0 && text[0] is '=' or '+' or '@') text = "'" + text;
        if (text.IndexOfAny([',', '"', '\n', '\r']) < 0) return text;
        var quoted = new StringBuilder("\"");
        quoted.Append(text.Replace("\"", "\"\"", StringComparison.Ordinal));
        return quoted.Append('"').ToString();
    }
}
