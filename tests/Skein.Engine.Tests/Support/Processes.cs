using System.Diagnostics;

namespace Skein.Engine.Tests.Support;

internal static class Processes
{
    /// <summary>
    /// True when the process no longer runs. A killed process whose parent died may linger as a zombie until
    /// something reaps it; it runs no code, so it counts as gone.
    /// </summary>
    public static bool IsGone(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return true;
        }
        // "pid (comm) state ...": comm may hold spaces and parentheses, so read the state after the last ')'.
        var close = stat.LastIndexOf(')');
        var state = close >= 0 && close + 2 < stat.Length ? stat[close + 2] : '?';
        return state is 'Z' or 'X';
    }

    /// <summary>A signal leaves no event to wait for, so this looks at /proc until the process is gone or time is up.</summary>
    public static async Task<bool> WaitGoneAsync(int pid, TimeSpan within)
    {
        var deadline = Stopwatch.StartNew();
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        while (!IsGone(pid))
        {
            if (deadline.Elapsed > within) return false;
            await poll.WaitForNextTickAsync();
        }
        return true;
    }

    /// <summary>Makes a named pipe: a command writing to it wakes a C# reader, with no polling on either side.</summary>
    public static void MakeFifo(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        mkfifo.WaitForExit();
        if (mkfifo.ExitCode != 0) throw new InvalidOperationException($"mkfifo {path} failed with exit code {mkfifo.ExitCode}");
    }

    /// <summary>Reads a named pipe until its writer closes it. Opening blocks until a writer appears, so it runs off the caller's thread.</summary>
    public static Task<string> ReadFifoAsync(string path) =>
        Task.Run(() => File.ReadAllText(path).Trim());

    public static string Quote(string path) => "'" + path.Replace("'", "'\\''") + "'";
}
