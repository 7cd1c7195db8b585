using Skein.Engine.Templates;
using Skein.Yaml;

namespace Skein.Engine.JobFiles;

/// <summary>Works out the copies a task template stands for: one per matrix entry, per file, or both.</summary>
internal static class TaskExpander
{
    private static readonly IReadOnlyList<Dictionary<string, string>> Single = [new Dictionary<string, string>(StringComparer.Ordinal)];

    /// <summary>
    /// The placeholder values of each copy, in order: files in sorted order, and for each file the matrix entries
    /// with the first key varying slowest. A plain task has one copy with no values.
    /// </summary>
    /// <param name="room">How many more tasks the job file may make (<see cref="JobLimits.MaxTasks"/> less those made).</param>
    /// <remarks>
    /// The copies are counted before any is made: a factory past <see cref="JobLimits.MaxCopiesPerFactory"/> or
    /// <paramref name="room"/> is reported with the count and makes none, so a few bytes of matrix cannot fill memory.
    /// </remarks>
    public static IReadOnlyList<Dictionary<string, string>> Copies(
        TaskTemplate task, string baseDirectory, ProblemCollector problems, Job job, int room)
    {
        if (task.Matrix is null && task.Foreach is null)
        {
            if (room >= 1) return Single;
            TooManyForTheJob(task, 1, problems);
            return [];
        }
        if (task.FactoryBroken) return [];

        List<string>? files = null;
        if (task.Foreach is { } globs)
        {
            files = MatchFiles(task, globs, baseDirectory, problems, job);
            if (files is null) return [];
        }

        var count = (long)(files?.Count ?? 1);
        foreach (var (_, values) in task.Matrix ?? [])
        {
            count = Math.Min(count * values.Count, long.MaxValue / JobLimits.MaxMatrixValues);
        }
        if (count > JobLimits.MaxCopiesPerFactory)
        {
            problems.Error($"task '{task.Id.Value}' would make {Count(task, files, count)}; a factory makes at most {Number.Text(JobLimits.MaxCopiesPerFactory)}",
                task.Id.Location);
            return [];
        }
        if (count > room)
        {
            TooManyForTheJob(task, count, problems);
            return [];
        }

        IReadOnlyList<Dictionary<string, string>> copies = Single;
        if (files is not null) copies = FileCopies(files, baseDirectory);
        foreach (var (key, values) in task.Matrix ?? [])
        {
            copies = Multiply(copies, Placeholders.MatrixPrefix + key.Value, values);
        }
        return copies;
    }

    /// <summary>The count as the user can check it: "1,200 tasks (12 files × 100 values of 'mode')".</summary>
    private static string Count(TaskTemplate task, List<string>? files, long count)
    {
        const long Saturated = long.MaxValue / JobLimits.MaxMatrixValues;
        var total = count >= Saturated ? $"more than {Number.Text(Saturated)}" : Number.Text(count);
        var factors = new List<string>();
        if (files is not null) factors.Add($"{Number.Text(files.Count)} files");
        foreach (var (key, values) in task.Matrix ?? []) factors.Add($"{Number.Text(values.Count)} values of '{key.Value}'");
        return factors.Count > 1 ? $"{total} tasks ({string.Join(" × ", factors)})" : $"{total} tasks";
    }

    private static void TooManyForTheJob(TaskTemplate task, long count, ProblemCollector problems) =>
        problems.Error(
            $"task '{task.Id.Value}' would take the job past {Number.Text(JobLimits.MaxTasks)} tasks, the most a job file makes " +
            $"({Number.Text(count)} more); split the job",
            task.Id.Location);

    /// <summary>The matching files; null when the walk met a problem (reported), as some copies would then be missing.</summary>
    private static List<string>? MatchFiles(
        TaskTemplate task, List<Located<string>> globs, string baseDirectory, ProblemCollector problems, Job job)
    {
        var patterns = new List<string>(globs.Count);
        foreach (var glob in globs) patterns.Add(glob.Value);
        var result = FileGlob.Match(baseDirectory, patterns, task.FollowSymlinks);
        foreach (var problem in result.Problems)
        {
            problems.Error($"foreach of task '{task.Id.Value}' {problem}", globs[0].Location);
        }
        if (result.Problems.Count > 0) return null;
        if (result.Files.Count == 0)
        {
            // A warning, not an error: an empty directory is a normal state for, say, a folder of pending migrations.
            var warning = problems.Warning(
                $"foreach of task '{task.Id.Value}' matched no files under {baseDirectory}: {string.Join(", ", patterns)}",
                globs[0].Location);
            job.AddWarning(warning);
        }
        return result.Files;
    }

    private static List<Dictionary<string, string>> FileCopies(List<string> files, string baseDirectory)
    {
        var copies = new List<Dictionary<string, string>>(files.Count);
        foreach (var file in files)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            Placeholders.AddFileValues(values, baseDirectory, file);
            copies.Add(values);
        }
        return copies;
    }

    private static List<Dictionary<string, string>> Multiply(
        IReadOnlyList<Dictionary<string, string>> copies, string name, List<Located<string>> values)
    {
        var result = new List<Dictionary<string, string>>(copies.Count * values.Count);
        foreach (var copy in copies)
        {
            foreach (var value in values)
            {
                result.Add(new Dictionary<string, string>(copy, StringComparer.Ordinal) { [name] = value.Value });
            }
        }
        return result;
    }
}
