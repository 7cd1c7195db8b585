namespace Shared.Lib;

/// <summary>A library two test modules carry in two versions, to show each module sees its own.</summary>
public static class LibraryInfo
{
    public static string Version => typeof(LibraryInfo).Assembly.GetName().Version?.ToString() ?? "unknown";
}
