using System.Runtime.InteropServices;

namespace Skein.Cli.Tests;

internal static partial class Posix
{
    public const int SigKill = 9;
    public const int SigInt = 2;
    public const int SigTerm = 15;
    public const int SigCont = 18;
    public const int SigStop = 19;

    public static void Kill(int pid, int signal) => _ = kill(pid, signal);

    public static uint EffectiveUserId => geteuid();

    /// <summary>True while the process exists (and is not a zombie).</summary>
    public static bool IsAlive(int pid)
    {
        var status = $"/proc/{pid}/status";
        if (!File.Exists(status)) return false;
        try
        {
            foreach (var line in File.ReadLines(status))
            {
                if (line.StartsWith("State:", StringComparison.Ordinal)) return !line.Contains('Z');
            }
        }
        catch (IOException)
        {
            return false;
        }
        return true;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
