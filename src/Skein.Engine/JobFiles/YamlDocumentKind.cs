namespace Skein.Engine.JobFiles;

/// <summary>What kind of YAML file is being read, as messages name it: "the job file is empty: it needs at least 'name' and 'tasks'".</summary>
/// <param name="Name">The file kind without an article ("job file").</param>
/// <param name="WithArticle">The same with its indefinite article ("a job file", "an app file").</param>
/// <param name="Essentials">The keys the file cannot do without, as a phrase ("'name' and 'tasks'").</param>
internal sealed record YamlDocumentKind(string Name, string WithArticle, string Essentials)
{
    public static YamlDocumentKind Job { get; } = new("job file", "a job file", "'name' and 'tasks'");
}
