namespace Skein.Cluster.Apps;

/// <summary>How <see cref="AppRunner.StopAsync"/> stops an app.</summary>
public sealed record AppStopOptions
{
    /// <summary>Also stop the app's dependencies, last started first, unless another running app still needs them.</summary>
    public bool WithDependencies { get; init; }

    /// <summary>
    /// Stop even if running apps need it, or may: by default a running app whose file is not in the catalog refuses the
    /// stop, since nobody can tell whether it depends on the app.
    /// </summary>
    public bool Force { get; init; }
}
