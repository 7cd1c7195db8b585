namespace Skein.Modules.Stdio;

/// <summary>Whether a response carries a result or an error.</summary>
public enum StdioStatus
{
    Ok,
    Error,
}
