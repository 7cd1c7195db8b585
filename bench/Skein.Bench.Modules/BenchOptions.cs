namespace Skein.Bench.Modules;

/// <summary>The command line's choices.</summary>
internal sealed class BenchOptions
{
    public int Rounds { get; set; } = 20;

    public int WarmUpRounds { get; set; } = 3;

    /// <summary>Assembly modules loaded at once for the memory figure (the issue asks for 20).</summary>
    public int Modules { get; set; } = 20;

    /// <summary>How many times all the modules are loaded and then all unloaded.</summary>
    public int Cycles { get; set; } = 2;

    /// <summary>How long memory is watched before it is read, at the start and after unloading.</summary>
    public TimeSpan Settle { get; set; } = TimeSpan.FromSeconds(5);

    public bool Markdown { get; set; }

    public bool Verbose { get; set; }
}
