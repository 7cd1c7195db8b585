namespace Skein.Engine.Tests.Journal;

/// <summary>A fresh directory under the system temp directory, deleted with everything in it on dispose.</summary>
internal sealed class TempStateDirectory : IDisposable
{
    public TempStateDirectory()
    {
        Root = Path.Combine(Path.GetTempPath(), "skein-journal-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    /// <summary>Exists, empty at the start.</summary>
    public string Root { get; }

    /// <summary>A state directory inside <see cref="Root"/> that does not exist yet.</summary>
    public string State => Path.Combine(Root, "state");

    public string JournalFile => Path.Combine(State, "journal.db");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
