using System.Diagnostics;
using System.Globalization;
using System.Runtime;

namespace Skein.Cli;

/// <summary>
/// Checkpoints of a command's start-up, on stderr when <c>SKEIN_TRACE_STARTUP=1</c>: the wall time since the process
/// started and the process's CPU time at each, so that what a short command spends before and around its work can be
/// read without a profiler. Off, a checkpoint costs one static field read.
/// </summary>
internal static class StartupTrace
{
    public const string Variable = "SKEIN_TRACE_STARTUP";

    private static readonly bool Enabled = Environment.GetEnvironmentVariable(Variable) is "1";
    private static DateTime processStart;
    private static TimeSpan lastCpu;
    private static double lastWall;

    public static void Mark(string checkpoint)
    {
        if (Enabled) Write(checkpoint);
    }

    private static void Write(string checkpoint)
    {
        if (processStart == default) processStart = Process.GetCurrentProcess().StartTime.ToUniversalTime();
        var wall = (DateTime.UtcNow - processStart).TotalMilliseconds;
        var cpu = Environment.CpuUsage.TotalTime;
        // JIT figures say how much of the time went to compiling what ReadyToRun code did not cover.
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"skein: startup {wall,7:F1} ms (+{wall - lastWall,6:F1})  cpu {cpu.TotalMilliseconds,6:F1} ms (+{(cpu - lastCpu).TotalMilliseconds,5:F1})  " +
            $"jit {JitInfo.GetCompiledMethodCount(),5} methods {JitInfo.GetCompilationTime().TotalMilliseconds,6:F1} ms  " +
            $"assemblies {AppDomain.CurrentDomain.GetAssemblies().Length,3}  {checkpoint}"));
        lastWall = wall;
        lastCpu = cpu;
    }
}
