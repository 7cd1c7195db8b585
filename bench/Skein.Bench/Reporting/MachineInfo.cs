using System.Runtime;
using System.Runtime.InteropServices;

namespace Skein.Bench.Reporting;

/// <summary>What the figures were measured on; printed above every report so results are never read without it.</summary>
internal static class MachineInfo
{
    public static void Write(TextWriter output)
    {
        output.WriteLine($"date:    {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
        output.WriteLine($"machine: nproc {Environment.ProcessorCount}, {CpuModel()}, {Format.Bytes(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes)} RAM");
        output.WriteLine($"os:      {RuntimeInformation.OSDescription}");
        output.WriteLine($"runtime: {RuntimeInformation.FrameworkDescription}, {(GCSettings.IsServerGC ? "server" : "workstation")} GC, {Configuration()}");
        output.WriteLine($"load:    {LoadAverage()}");
    }

    /// <summary>The 1, 5 and 15 minute load averages: anything well above 0 means other work shared the cores.</summary>
    public static string LoadAverage()
    {
        try
        {
            var fields = File.ReadAllText("/proc/loadavg").Split(' ');
            return fields.Length >= 3 ? $"{fields[0]} {fields[1]} {fields[2]} (1/5/15 min)" : "unknown";
        }
        catch (IOException)
        {
            return "unknown";
        }
        catch (UnauthorizedAccessException)
        {
            return "unknown";
        }
    }

    public static string CpuModel()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                if (!line.StartsWith("model name", StringComparison.Ordinal)) continue;
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon >= 0) return line[(colon + 1)..].Trim();
            }
        }
        catch (IOException)
        {
            // Not Linux, or /proc is not mounted: say so instead of guessing.
        }
        catch (UnauthorizedAccessException)
        {
        }
        return "unknown CPU";
    }

    private static string Configuration()
    {
#if DEBUG
        return "DEBUG build (figures are not representative; use -c Release)";
#else
        return "Release build";
#endif
    }
}
