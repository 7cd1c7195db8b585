namespace Skein.Engine.Journal;

/// <summary>A run as a reader sees it: how it ended, or whether it is still going.</summary>
public enum RunState
{
    Running,

    /// <summary>Recorded as running, but the process that ran it is gone: killed, crashed, or its machine rebooted.</summary>
    Interrupted,

    Passed,
    Failed,
    Cancelled,
}
