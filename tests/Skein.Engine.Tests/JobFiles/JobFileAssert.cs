using Skein.Engine.JobFiles;

namespace Skein.Engine.Tests.JobFiles;

/// <summary>Parsing and assertion helpers shared by the job file tests.</summary>
internal static class JobFileAssert
{
    public const string FileName = "job.yaml";

    /// <summary>Parses text as if it were job.yaml in <paramref name="baseDirectory"/> (a directory that need not exist by default).</summary>
    public static JobLoadResult Parse(string yaml, string? baseDirectory = null) =>
        JobFileLoader.Parse(yaml, FileName, baseDirectory ?? Path.Combine(Path.GetTempPath(), "skein-jobfile-tests", "none"));

    /// <summary>Parses text that must load without a single problem, and returns the job.</summary>
    public static Job Valid(string yaml, string? baseDirectory = null)
    {
        var result = Parse(yaml, baseDirectory);
        Assert.True(result.Problems.Count == 0, "unexpected problems:\n" + string.Join("\n", result.Problems));
        Assert.NotNull(result.Job);
        return result.Job;
    }

    /// <summary>Asserts exactly one problem contains all the given fragments, with the severity and position given; returns it.</summary>
    public static ValidationProblem Single(
        JobLoadResult result, ProblemSeverity severity, int line, int column, params string[] fragments)
    {
        var matches = result.Problems.Where(p => fragments.All(f => p.Message.Contains(f, StringComparison.Ordinal))).ToList();
        Assert.True(matches.Count == 1,
            $"expected one problem containing [{string.Join("] [", fragments)}], found {matches.Count} in:\n" + string.Join("\n", result.Problems));
        var problem = matches[0];
        Assert.Equal(severity, problem.Severity);
        Assert.Equal(new SourceLocation(FileName, line, column), problem.Location);
        return problem;
    }

    public static ValidationProblem Error(JobLoadResult result, int line, int column, params string[] fragments) =>
        Single(result, ProblemSeverity.Error, line, column, fragments);

    public static TaskSpec Task(Job job, string id) =>
        job.Tasks.SingleOrDefault(t => t.Id == id) ?? throw new Xunit.Sdk.XunitException(
            $"no task '{id}' in: {string.Join(", ", job.Tasks.Select(t => t.Id))}");

    public static CommandAction Command(Job job, string id) => Assert.IsType<CommandAction>(Task(job, id).Action);

    public static SourceLocation At(int line, int column) => new(FileName, line, column);
}
