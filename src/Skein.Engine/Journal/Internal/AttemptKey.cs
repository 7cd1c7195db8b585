namespace Skein.Engine.Journal.Internal;

internal readonly record struct AttemptKey(long RunId, string TaskId, int Attempt);
