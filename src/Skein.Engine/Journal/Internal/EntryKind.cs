namespace Skein.Engine.Journal.Internal;

internal enum EntryKind : byte
{
    BeginRun,
    Tasks,
    AttemptStarted,
    AttemptFinished,
    TaskFinished,
    EndRun,
    Flush,
    FindResumePoint,
}
