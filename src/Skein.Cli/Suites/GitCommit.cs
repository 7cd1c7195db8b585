using System.Diagnostics;

namespace Skein.Cli.Suites;

/// <summary>The commit a test configuration's directory is at, for the results database: best effort, never in the way.</summary>
internal static class GitCommit
{
    /// <summary>How long <c>git rev-parse</c> may take before the run is recorded without a commit.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    /// <summary><c>git rev-parse HEAD</c> in <paramref name="directory"/>; null when git is missing, it is no repository, or git is slow.</summary>
    public static async Task<string?> FindAsync(string directory, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("rev-parse");
        start.ArgumentList.Add("HEAD");
        // Not asked for credentials or a pager: it would wait for input nobody gives.
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return null;
        }
        using (process)
        {
            process.StandardInput.Close();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Patience);
            try
            {
                var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
                _ = process.StandardError.ReadToEndAsync(timeout.Token);
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                var text = (await output.ConfigureAwait(false)).Trim();
                return process.ExitCode == 0 && text.Length is > 0 and <= 64 && text.All(char.IsAsciiHexDigit) ? text : null;
            }
            catch (OperationCanceledException)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // It ended on its own meanwhile.
                }
                return null;
            }
        }
    }
}
