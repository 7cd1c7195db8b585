namespace Skein.Cluster.Modules.Process;

/// <summary>Timings of a module run as a child process speaking the stdio protocol.</summary>
public sealed class ProcessModuleOptions
{
    /// <summary>How long the module has to answer the welcome with its hello; default 10 s.</summary>
    public TimeSpan HelloTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a module asked to shut down may take before it is killed; default 5 s.</summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Arguments passed to the module in its welcome.</summary>
    public IReadOnlyList<string> Arguments { get; set; } = [];
}
