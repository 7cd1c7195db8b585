namespace Skein.Bench.Reporting;

/// <summary>One line of the report: a figure, how it compares to its baseline and whether it meets its goal.</summary>
internal sealed record ResultRow(string Scenario, string Subject, string Value)
{
    /// <summary>How long the measured work took (the median repetition), formatted.</summary>
    public string? Time { get; init; }

    /// <summary>Engine figure divided by the baseline's, where there is a baseline.</summary>
    public double? Ratio { get; init; }

    public string? Goal { get; init; }

    /// <summary>Null when the row has no goal of its own.</summary>
    public bool? Met { get; init; }

    public string? Note { get; init; }
}
