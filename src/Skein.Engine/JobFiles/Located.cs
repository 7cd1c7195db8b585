namespace Skein.Engine.JobFiles;

/// <summary>A value read from a job file, with where it was written.</summary>
internal readonly record struct Located<T>(T Value, SourceLocation Location);
