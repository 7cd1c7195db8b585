namespace Skein.Yaml;

/// <summary>
/// Bounds on any YAML file Skein reads (job files, module.yaml, app.yaml), kept in the one shared reader so a new
/// kind of file gets them too. Real files stay far inside them; a file past one is refused before it can exhaust the
/// stack, memory or time of the process reading it, which may be a long-running node. docs/job-files.md lists them.
/// </summary>
public static class YamlLimits
{
    /// <summary>
    /// The deepest nesting of mappings and lists. Building the YAML tree recurses once per level, and a stack
    /// overflow kills the process outright; real files nest a handful of levels.
    /// </summary>
    public const int MaxDepth = 64;

    /// <summary>The largest file read, in bytes (4 MiB); also the most characters of text parsed.</summary>
    public const int MaxBytes = 4 * 1024 * 1024;
}
