namespace Skein.Cli;

/// <summary>Prints validation problems the way compilers do: file:line:col: error: message.</summary>
internal static class ProblemPrinter
{
    /// <param name="outcome">What the errors prevented, said after their count.</param>
    public static void Print(IReadOnlyList<ValidationProblem> problems, TextWriter error, string outcome = "nothing ran")
    {
        var errors = 0;
        var warnings = 0;
        foreach (var problem in problems)
        {
            error.WriteLine(problem.ToString());
            if (problem.Severity == ProblemSeverity.Error) errors++;
            else warnings++;
        }
        if (errors > 0)
            error.WriteLine($"{errors} error{(errors == 1 ? "" : "s")}{(warnings > 0 ? $", {warnings} warning{(warnings == 1 ? "" : "s")}" : "")}; {outcome}.");
    }
}
