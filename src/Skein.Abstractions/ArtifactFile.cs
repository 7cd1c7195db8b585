namespace Skein;

/// <summary>
/// One file a task handed on to its dependents (a job file's <c>artifacts:</c>): where it was, relative to the
/// attempt's working directory with '/' separators, how large it is, and its content's SHA-256 (lower-case hex), by
/// which it is stored and fetched.
/// </summary>
public sealed record ArtifactFile(string Path, long Size, string Sha256);
