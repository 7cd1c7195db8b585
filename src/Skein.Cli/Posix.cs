using System.Runtime.InteropServices;

namespace Skein.Cli;

internal static partial class Posix
{
    public const int SigTerm = 15;

    public static bool Signal(int pid, int signal) => kill(pid, signal) == 0;

    /// <summary>True while a process with this id exists.</summary>
    public static bool Exists(int pid) => kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() == 1; // EPERM: exists, not ours

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);
}
