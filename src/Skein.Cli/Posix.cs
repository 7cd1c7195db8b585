using System.Runtime.InteropServices;

namespace Skein.Cli;

internal static partial class Posix
{
    public const int SigTerm = 15;

    public static bool Signal(int pid, int signal) => kill(pid, signal) == 0;

    /// <summary>
    /// True while a process with this id runs. A zombie — a process that has exited but that its parent has not
    /// reaped yet (a script that started it and never waits) — still answers kill(pid, 0), but it has stopped.
    /// </summary>
    public static bool Exists(int pid)
    {
        var exists = kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() == 1; // EPERM: exists, not ours
        return exists && !IsZombie(pid);
    }

    /// <summary>True when /proc says the process has exited and waits to be reaped (state 'Z'); false where there is no /proc.</summary>
    internal static bool IsZombie(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        // "PID (COMMAND) STATE ...": the command may hold spaces and parentheses, so the state follows the last ')'.
        var end = stat.LastIndexOf(')');
        return end >= 0 && end + 2 < stat.Length && stat[end + 2] is 'Z' or 'X';
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);
}
