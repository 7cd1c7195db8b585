namespace Skein;

/// <summary>How a task (or one of its sub-results) ended.</summary>
/// <remarks>The numeric order is the severity order used to combine outcomes: larger is worse.</remarks>
public enum Outcome
{
    Passed = 0,
    Warned = 1,
    Skipped = 2,
    Failed = 3,
    TimedOut = 4,
    Errored = 5,
    Cancelled = 6,
}
