namespace Skein.Modules.Process;

/// <summary>Timings and limits of a module run as a child process speaking the stdio protocol.</summary>
public sealed class ProcessModuleOptions
{
    /// <summary>How long the module has to answer the welcome with its hello; default 10 s.</summary>
    public TimeSpan HelloTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a module asked to shut down may take before it is killed; default 5 s.</summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How many frames nobody asked for (log, event, answers to conversations the node does not know) a module may
    /// write within one second before it is stopped as flooding its stdout; default 1000.
    /// </summary>
    public int MaxUnsolicitedFramesPerSecond { get; set; } = 1000;

    /// <summary>How many bytes of such frames (headers and payloads) a module may write within one second; default 8 MiB.</summary>
    public long MaxUnsolicitedBytesPerSecond { get; set; } = 8L * 1024 * 1024;

    /// <summary>
    /// How many stderr lines per second go to the node's log; the rest are dropped and counted, so a module printing
    /// in a loop cannot drown the node's log. Default 100.
    /// </summary>
    public int MaxStderrLinesPerSecond { get; set; } = 100;

    /// <summary>The longest stderr line kept, in characters; the rest of a longer line is cut. Default 4096.</summary>
    public int MaxStderrLineLength { get; set; } = 4096;

    /// <summary>The clock the per-second limits are measured with.</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>Refuses values the module process could not run with, naming the option.</summary>
    /// <exception cref="SkeinException">A timing is not positive, or a limit is below 1.</exception>
    public void Validate()
    {
        if (HelloTimeout <= TimeSpan.Zero) throw new SkeinException($"the hello timeout must be positive, not {HelloTimeout}");
        if (ShutdownGrace < TimeSpan.Zero) throw new SkeinException($"the shutdown grace period must not be negative, not {ShutdownGrace}");
        if (MaxUnsolicitedFramesPerSecond < 1) throw new SkeinException($"MaxUnsolicitedFramesPerSecond must be at least 1, not {MaxUnsolicitedFramesPerSecond}");
        if (MaxUnsolicitedBytesPerSecond < 1) throw new SkeinException($"MaxUnsolicitedBytesPerSecond must be at least 1, not {MaxUnsolicitedBytesPerSecond}");
        if (MaxStderrLinesPerSecond < 1) throw new SkeinException($"MaxStderrLinesPerSecond must be at least 1, not {MaxStderrLinesPerSecond}");
        if (MaxStderrLineLength < 80) throw new SkeinException($"MaxStderrLineLength must be at least 80, not {MaxStderrLineLength}");
        ArgumentNullException.ThrowIfNull(Time);
    }
}
