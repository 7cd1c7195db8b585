using Skein.Yaml;

namespace Skein.Engine.JobFiles;

/// <summary>Reads YAML job files (format version 1, described in docs/job-files.md) into <see cref="Job"/>s.</summary>
/// <remarks>
/// Bad content never throws: every problem goes into <see cref="JobLoadResult.Problems"/>, all of them in one pass,
/// each with its line and column, so a user fixes a file in one round instead of one error at a time.
/// </remarks>
public static class JobFileLoader
{
    /// <summary>Reads and parses the job file at <paramref name="path"/>; relative paths in it are relative to its directory.</summary>
    public static JobLoadResult Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string fullPath;
        try
        {
            fullPath = Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is NotSupportedException or ArgumentException or PathTooLongException)
        {
            return new JobLoadResult(null, [ValidationProblem.Error($"cannot read {path}: {ex.Message}")]);
        }
        if (YamlFileText.Read(fullPath, path, out var problem) is not { } text)
        {
            return new JobLoadResult(null, [problem!]);
        }

        // Messages name the file as the user wrote it; the job remembers where it really is.
        return JobFileReader.Read(text, path, Path.GetDirectoryName(fullPath)!, fullPath);
    }

    /// <summary>Parses job file text that did not come from <see cref="Load"/> (an editor buffer, a test, standard input).</summary>
    /// <param name="yamlText">The file's content.</param>
    /// <param name="fileNameForMessages">The name problems are reported against.</param>
    /// <param name="baseDirectory">What workdir and foreach globs are relative to, as the job file's directory would be.</param>
    /// <remarks>The job's <see cref="Job.SourceFile"/> stays null: the text need not have a file.</remarks>
    public static JobLoadResult Parse(string yamlText, string fileNameForMessages, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(yamlText);
        ArgumentNullException.ThrowIfNull(fileNameForMessages);
        ArgumentException.ThrowIfNullOrWhiteSpace(baseDirectory);
        return JobFileReader.Read(yamlText, fileNameForMessages, baseDirectory, sourceFile: null);
    }
}
