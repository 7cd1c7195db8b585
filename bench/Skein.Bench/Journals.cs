using Skein.Bench.Scenarios;
using Skein.Engine;
using Skein.Engine.Journal;

namespace Skein.Bench;

/// <summary>The journal implementation the <c>journal</c> scenario measures: the SQLite journal skein run uses.</summary>
internal static class Journals
{
    public static (string Name, JournalFactory Open)? Registered =>
        ("SQLite", (directory, _) => ValueTask.FromResult<IRunJournal>(SqliteRunJournal.Open(directory)));

    /// <summary>
    /// The journal file a freshly opened journal leaves in a state directory: its schema, no runs. The scenario's
    /// SQLite limit writes into it, so the limit and the journal fill the same tables with the same indexes.
    /// </summary>
    public static async ValueTask<string> EmptyJournalFileAsync(string stateDirectory)
    {
        await SqliteRunJournal.Open(stateDirectory).DisposeAsync();
        return Path.Combine(stateDirectory, "journal.db");
    }
}
