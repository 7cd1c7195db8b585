using Skein.Bench.Scenarios;

namespace Skein.Bench;

/// <summary>
/// The journal implementation the <c>journal</c> scenario measures. None is registered while the engine has no
/// journal of its own; registering one is a single expression here, for example
/// <c>("SQLite", (directory, ct) => ValueTask.FromResult&lt;IRunJournal&gt;(new SqliteRunJournal(...)))</c>.
/// </summary>
internal static class Journals
{
    public static (string Name, JournalFactory Open)? Registered => null;
}
