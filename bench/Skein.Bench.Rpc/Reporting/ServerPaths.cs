using Skein.Bench.Rpc.Targets;

namespace Skein.Bench.Rpc.Reporting;

/// <summary>
/// What the servers that can tell (<see cref="IReportsServerPaths"/>) say about how they served each level: which code
/// path ran the calls and how many envelopes a frame carried. Printed as the levels end, and again after the table.
/// </summary>
internal sealed class ServerPaths
{
    private readonly List<string> _lines = [];

    public async Task ReportAsync(string target, string what, IEchoDeployment deployment, CancellationToken cancellationToken)
    {
        if (deployment is not IReportsServerPaths paths) return;
        string? line;
        try
        {
            line = await paths.DescribeSinceLastAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or IOException or InvalidOperationException or FormatException)
        {
            line = $"no counters: {ex.Message}";
        }
        if (line is null) return;
        var text = $"{target}, {what}: {line}";
        Console.Error.WriteLine(text);
        _lines.Add(text);
    }

    public void Write(TextWriter output)
    {
        if (_lines.Count == 0) return;
        output.WriteLine();
        output.WriteLine("How the servers served the calls (a level counts its warm-up and all its rounds):");
        output.WriteLine();
        foreach (var line in _lines) output.WriteLine($"- {line}");
    }
}
