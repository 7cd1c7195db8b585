namespace Skein.Cli;

/// <summary>Checks a path the user gave as a file before it is read or written, so a directory is called one.</summary>
internal static class InputFiles
{
    /// <summary>Throws when <paramref name="path"/> is a directory: reading one fails as "access denied" on some systems.</summary>
    /// <param name="what">What the file should have been, e.g. "job file", for the message.</param>
    public static void NotADirectory(string path, string what)
    {
        if (Directory.Exists(path)) throw new SkeinException($"{path} is a directory, not a {what}");
    }
}
