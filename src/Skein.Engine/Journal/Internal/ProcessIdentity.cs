using System.Diagnostics;

namespace Skein.Engine.Journal.Internal;

/// <summary>Who is writing a run, recorded so a reader can tell a live run from one whose process is gone.</summary>
internal static class ProcessIdentity
{
    private static readonly Lazy<long?> s_startedAtMs = new(() => StartTimeOf(Environment.ProcessId));

    /// <summary>Start times read at different moments differ by clock-tick rounding; a reused pid differs by far more.</summary>
    private const long StartTimeToleranceMs = 2_000;

    public static string Host => Environment.MachineName;

    public static int Pid => Environment.ProcessId;

    public static long? StartedAtMs => s_startedAtMs.Value;

    /// <summary>
    /// Whether the process that recorded a run is still running. A run recorded on another machine counts as gone:
    /// a journal in WAL mode cannot be shared across machines, so a writer elsewhere cannot still be using it.
    /// </summary>
    public static bool IsAlive(string host, int pid, long? startedAtMs)
    {
        if (!string.Equals(host, Host, StringComparison.Ordinal)) return false;
        if (OperatingSystem.IsLinux() && !Directory.Exists($"/proc/{pid}")) return false;
        var started = pid == Pid ? StartedAtMs : StartTimeOf(pid);
        if (started is null) return false;
        // A pid that was reused after a reboot or a long time belongs to a process that started later.
        return startedAtMs is null || Math.Abs(started.Value - startedAtMs.Value) <= StartTimeToleranceMs;
    }

    private static long? StartTimeOf(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return null;
        }
    }
}
