using System.Globalization;
using Skein.Cluster.Runs;
using Skein.Engine.Journal;

namespace Skein.Cli.Commands;

/// <summary>Resolves what a user types for a run: a number, or "latest".</summary>
internal static class RunReference
{
    public const string Help = "A run id from 'skein runs', or 'latest'.";

    public static async Task<long> ResolveAsync(JournalReader journal, string text, CancellationToken cancellationToken)
    {
        if (string.Equals(text, "latest", StringComparison.OrdinalIgnoreCase))
            return await journal.GetLatestRunIdAsync(null, cancellationToken).ConfigureAwait(false)
                   ?? throw new SkeinException($"the journal {journal.JournalPath} has no runs yet");
        return Parse(text);
    }

    /// <summary>The same on a cluster: "latest" is the coordinator's latest run.</summary>
    public static async Task<long> ResolveAsync(RunsClient client, string text, CancellationToken cancellationToken)
    {
        if (string.Equals(text, "latest", StringComparison.OrdinalIgnoreCase))
            return (await client.ShowAsync(0, cancellationToken).ConfigureAwait(false)).Summary.Id;
        return Parse(text);
    }

    private static long Parse(string text)
    {
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0) return id;
        throw new SkeinException($"'{text}' is not a run: give a run id from 'skein runs', or 'latest'");
    }
}
