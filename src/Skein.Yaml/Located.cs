namespace Skein.Yaml;

/// <summary>A value read from a job file, with where it was written.</summary>
public readonly record struct Located<T>(T Value, SourceLocation Location);
