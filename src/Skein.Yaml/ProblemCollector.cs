using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Skein.Yaml;

/// <summary>Gathers the problems of one job file, each once, and hands them back in file order.</summary>
public sealed class ProblemCollector
{
    // A factory task is checked once but built many times; the set keeps a problem from being reported per copy.
    private readonly HashSet<ValidationProblem> _seen = [];
    private readonly List<ValidationProblem> _problems = [];

    public ProblemCollector(string fileName) => FileName = fileName;

    /// <summary>The file name problems are reported against.</summary>
    public string FileName { get; }

    public bool HasErrors { get; private set; }

    public SourceLocation At(Mark mark) => new(FileName, (int)mark.Line, (int)mark.Column);

    public SourceLocation At(YamlNode node) => At(node.Start);

    public void Error(string message, SourceLocation? location) => Add(ValidationProblem.Error(message, location));

    public void Error(string message, YamlNode node) => Error(message, At(node));

    /// <summary>Records a warning and returns it, so the caller can also attach it to the job.</summary>
    public ValidationProblem Warning(string message, SourceLocation? location)
    {
        var warning = ValidationProblem.Warning(message, location);
        Add(warning);
        return warning;
    }

    private void Add(ValidationProblem problem)
    {
        if (!_seen.Add(problem)) return;
        _problems.Add(problem);
        if (problem.Severity == ProblemSeverity.Error) HasErrors = true;
    }

    /// <summary>The problems sorted by position (ones without a position first); equal positions keep the order found.</summary>
    public IReadOnlyList<ValidationProblem> ToList()
    {
        var sorted = new List<ValidationProblem>(_problems);
        // List.Sort is not stable, so the original index breaks ties.
        var order = new Dictionary<ValidationProblem, int>(sorted.Count);
        for (var i = 0; i < sorted.Count; i++) order[sorted[i]] = i;
        sorted.Sort((a, b) =>
        {
            var byLine = LineOf(a).CompareTo(LineOf(b));
            if (byLine != 0) return byLine;
            var byColumn = ColumnOf(a).CompareTo(ColumnOf(b));
            return byColumn != 0 ? byColumn : order[a].CompareTo(order[b]);
        });
        return sorted;
    }

    private static int LineOf(ValidationProblem problem) => problem.Location?.Line ?? 0;

    private static int ColumnOf(ValidationProblem problem) => problem.Location?.Column ?? 0;
}
