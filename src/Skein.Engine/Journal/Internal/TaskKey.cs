namespace Skein.Engine.Journal.Internal;

internal readonly record struct TaskKey(long RunId, string TaskId);
