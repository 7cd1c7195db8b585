namespace Skein.Engine.Journal;

/// <summary>How far a task of a recorded run got.</summary>
public enum TaskProgress
{
    /// <summary>Part of the run, never started.</summary>
    Pending,

    /// <summary>Started and not finished: still running, or cut off when its run was interrupted.</summary>
    Running,

    /// <summary>Has its final result.</summary>
    Finished,
}
