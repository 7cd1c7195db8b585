namespace Skein.Cli.Reporting;

/// <summary>Writes a report file whole or not at all: to a temporary file first, then renamed into place.</summary>
internal static class ReportFiles
{
    public static void Write(string path, Action<Stream> write)
    {
        InputFiles.NotADirectory(path, "report file");
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            Directory.CreateDirectory(directory);
            try
            {
                using (var stream = File.Create(temporary)) write(stream);
                File.Move(temporary, full, overwrite: true);
            }
            finally
            {
                if (File.Exists(temporary)) File.Delete(temporary);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The message of a failed write or rename names the temporary file, which the user never asked for.
            var why = ex is UnauthorizedAccessException ? "access denied" : ex.Message.Replace(temporary, full, StringComparison.Ordinal);
            throw new SkeinException($"cannot write report '{path}': {why}", ex);
        }
    }
}
