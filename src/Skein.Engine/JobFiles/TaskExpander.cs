namespace Skein.Engine.JobFiles;

/// <summary>Works out the copies a task template stands for: one per matrix entry, per file, or both.</summary>
internal static class TaskExpander
{
    private static readonly IReadOnlyList<Dictionary<string, string>> Single = [new Dictionary<string, string>(StringComparer.Ordinal)];

    /// <summary>
    /// The placeholder values of each copy, in order: files in sorted order, and for each file the matrix entries
    /// with the first key varying slowest. A plain task has one copy with no values.
    /// </summary>
    public static IReadOnlyList<Dictionary<string, string>> Copies(
        TaskTemplate task, string baseDirectory, ProblemCollector problems, Job job)
    {
        if (task.Matrix is null && task.Foreach is null) return Single;
        if (task.FactoryBroken) return [];

        IReadOnlyList<Dictionary<string, string>> copies = Single;
        if (task.Foreach is { } globs)
        {
            copies = FileCopies(task, globs, baseDirectory, problems, job);
        }
        if (task.Matrix is { } matrix)
        {
            foreach (var (key, values) in matrix)
            {
                copies = Multiply(copies, Placeholders.MatrixPrefix + key.Value, values);
            }
        }
        return copies;
    }

    private static List<Dictionary<string, string>> FileCopies(
        TaskTemplate task, List<Located<string>> globs, string baseDirectory, ProblemCollector problems, Job job)
    {
        var patterns = new List<string>(globs.Count);
        foreach (var glob in globs) patterns.Add(glob.Value);
        var files = FileGlob.Match(baseDirectory, patterns);
        if (files.Count == 0)
        {
            // A warning, not an error: an empty directory is a normal state for, say, a folder of pending migrations.
            var warning = problems.Warning(
                $"foreach of task '{task.Id.Value}' matched no files under {baseDirectory}: {string.Join(", ", patterns)}",
                globs[0].Location);
            job.AddWarning(warning);
        }

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
