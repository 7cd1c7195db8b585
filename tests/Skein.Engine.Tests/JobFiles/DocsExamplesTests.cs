using Skein.Engine.JobFiles;

namespace Skein.Engine.Tests.JobFiles;

/// <summary>The YAML shown in docs/job-files.md loads without errors, so the documentation cannot drift from the loader.</summary>
public sealed class DocsExamplesTests
{
    [Fact]
    public void Every_yaml_example_in_the_docs_loads_without_errors()
    {
        var jobs = Jobs(File.ReadAllText(FindDocs()));
        Assert.True(jobs.Count >= 8, $"expected the docs to show at least eight YAML examples, found {jobs.Count}");

        using var dir = new TempDirectory();
        dir.Write("src/app.cs");
        foreach (var yaml in jobs)
        {
            var result = JobFileLoader.Parse(yaml, "docs-example.yaml", dir.Path);
            Assert.False(result.HasErrors, yaml + "\n" + string.Join("\n", result.Problems));
            Assert.NotEmpty(result.Job!.Tasks);
        }
    }

    /// <summary>Each ```yaml block as a whole job: fragments get the name and tasks they leave out.</summary>
    private static List<string> Jobs(string markdown)
    {
        var jobs = new List<string>();
        var parts = markdown.Split("```yaml\n");
        for (var i = 1; i < parts.Length; i++)
        {
            var block = parts[i][..parts[i].IndexOf("```", StringComparison.Ordinal)];
            if (block.StartsWith("  ", StringComparison.Ordinal)) block = "tasks:\n" + block;
            if (!block.Contains("\ntasks:", StringComparison.Ordinal) && !block.StartsWith("tasks:", StringComparison.Ordinal))
            {
                block += "tasks: { example: { run: \"true\" } }\n";
            }
            if (!block.Contains("name:", StringComparison.Ordinal)) block = "name: example\n" + block;
            jobs.Add(block);
        }
        return jobs;
    }

    private static string FindDocs()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "docs", "job-files.md");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("docs/job-files.md not found above " + AppContext.BaseDirectory);
    }
}
