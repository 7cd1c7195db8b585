using Skein.Bench.Scenarios;
using Skein.Engine;
using Skein.Engine.Journal;

namespace Skein.Bench;

/// <summary>The journal implementation the <c>journal</c> scenario measures: the SQLite journal skein run uses.</summary>
internal static class Journals
{
    public static (string Name, JournalFactory Open)? Registered =>
        ("SQLite", (directory, _) => ValueTask.FromResult<IRunJournal>(SqliteRunJournal.Open(directory)));
}
