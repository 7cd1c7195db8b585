using Skein.Yaml;

namespace Skein.Engine.JobFiles;

/// <summary>The <c>defaults:</c> section: values every task gets unless it gives its own.</summary>
internal sealed class JobDefaults
{
    public Located<TimeSpan>? Timeout { get; set; }
    public Located<int>? Retries { get; set; }
    public Located<TimeSpan>? RetryDelay { get; set; }
    public Located<RetryBackoff>? RetryBackoff { get; set; }
    public Located<string>? Workdir { get; set; }
    public Located<TimeSpan>? KillGrace { get; set; }

    /// <summary>Variable name (with where it is written) to value.</summary>
    public List<(Located<string> Name, Located<string> Value)> Env { get; } = [];

    /// <summary>Where each key of the section is, so a task's source can point at the default it inherited.</summary>
    public Dictionary<string, SourceLocation> KeyLocations { get; } = new(StringComparer.Ordinal);
}
