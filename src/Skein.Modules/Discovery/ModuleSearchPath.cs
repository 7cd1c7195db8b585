namespace Skein.Modules.Discovery;

/// <summary>
/// <c>SKEIN_MODULE_PATH</c>: more module directories, separated like <c>PATH</c> (colons on Linux and macOS), where a
/// node discovers modules and may load them from, besides its <c>--module-dir</c> directories.
/// </summary>
public static class ModuleSearchPath
{
    public const string Variable = "SKEIN_MODULE_PATH";

    /// <summary>The directories in the variable's value, in order, empty entries skipped.</summary>
    public static IReadOnlyList<string> Parse(string? value) =>
        string.IsNullOrWhiteSpace(value)
            ? []
            : value.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The directories of this process's <c>SKEIN_MODULE_PATH</c>.</summary>
    public static IReadOnlyList<string> FromEnvironment() => Parse(Environment.GetEnvironmentVariable(Variable));
}
