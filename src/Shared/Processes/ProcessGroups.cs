using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Skein.Shared.Processes;

/// <summary>
/// Signals whole process groups. Every command runs as the leader of its own group (through setsid), so a
/// signal to the group reaches its children and grandchildren too — a timed-out task leaves nothing behind.
/// </summary>
internal static partial class ProcessGroups
{
    private const int SigKill = 9;
    private const int SigTerm = 15;

    private static readonly ConcurrentDictionary<int, byte> Live = new();

    public static void Track(int groupId) => Live.TryAdd(groupId, 0);

    public static void Forget(int groupId) => Live.TryRemove(groupId, out _);

    public static void Terminate(int groupId) => Signal(groupId, SigTerm);

    public static void Kill(int groupId) => Signal(groupId, SigKill);

    /// <summary>True while any process of the group is alive (signal 0 probes without sending anything).</summary>
    public static bool IsAlive(int groupId) => OperatingSystem.IsWindows() ? false : kill(-groupId, 0) == 0;

    public static void KillAll()
    {
        foreach (var groupId in Live.Keys) Kill(groupId);
    }

    private static void Signal(int groupId, int signal)
    {
        if (OperatingSystem.IsWindows() || groupId <= 0) return;
        // A negative pid addresses the whole group. ESRCH (already gone) is fine.
        _ = kill(-groupId, signal);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);
}
