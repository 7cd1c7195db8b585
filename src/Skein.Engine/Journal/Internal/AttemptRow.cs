namespace Skein.Engine.Journal.Internal;

/// <summary>What one batch learned about one attempt: its start, its finish, or (coalesced) both.</summary>
internal struct AttemptRow
{
    public long RunId;
    public string TaskId;
    public int Attempt;
    public long? StartedAtMs;
    public string? LogPath;
    public long? FinishedAtMs;
    public Outcome? Outcome;
    public string? Reason;
    public int? ExitCode;
}
