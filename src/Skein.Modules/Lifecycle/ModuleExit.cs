namespace Skein.Modules.Lifecycle;

/// <summary>
/// How one run of a module ended, in terms both kinds of module share: a process module has an exit code and
/// the tail of its stderr, an assembly module a hook's exception. <see cref="IsAbnormal"/> is what the
/// <c>transient</c> policy and the crashed notification go by.
/// </summary>
public sealed class ModuleExit
{
    private ModuleExit(ModuleExitKind kind, int? exitCode, Exception? exception, string? errorOutput, string? cause = null)
    {
        Cause = string.IsNullOrWhiteSpace(cause) ? null : cause;
        Kind = kind;
        ExitCode = exitCode;
        Exception = exception;
        ErrorOutput = string.IsNullOrWhiteSpace(errorOutput) ? null : errorOutput.TrimEnd();
    }

    /// <summary>The run ended because it was asked to stop.</summary>
    public static ModuleExit Requested { get; } = new(ModuleExitKind.Requested, null, null, null);

    public ModuleExitKind Kind { get; }

    /// <summary>The exit code, for <see cref="ModuleExitKind.Exited"/>.</summary>
    public int? ExitCode { get; }

    /// <summary>What was thrown, for <see cref="ModuleExitKind.Faulted"/>.</summary>
    public Exception? Exception { get; }

    /// <summary>The last lines a process module wrote to stderr, when there are any: usually the reason it died.</summary>
    public string? ErrorOutput { get; }

    /// <summary>
    /// Why the node ended the run itself, when the module was at fault: "flooded stdout: …", "broke the stdio
    /// protocol: …". Null when the module ended on its own.
    /// </summary>
    public string? Cause { get; }

    /// <summary>An exception, or an exit code other than 0. A requested stop or a clean exit is not abnormal.</summary>
    public bool IsAbnormal => Kind == ModuleExitKind.Faulted || (Kind == ModuleExitKind.Exited && ExitCode != 0);

    /// <summary>
    /// The run ended with <paramref name="exitCode"/>; <paramref name="errorOutput"/> is the tail of its stderr, if any,
    /// and <paramref name="cause"/> why the node ended it, when it did.
    /// </summary>
    public static ModuleExit Exited(int exitCode, string? errorOutput = null, string? cause = null) =>
        new(ModuleExitKind.Exited, exitCode, null, errorOutput, cause);

    /// <summary>The run ended by throwing <paramref name="exception"/>.</summary>
    public static ModuleExit Faulted(Exception exception, string? errorOutput = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return new(ModuleExitKind.Faulted, null, exception, errorOutput);
    }

    /// <summary>
    /// A short description for messages and <c>skein module list</c>: "exited with code 1; stderr: Traceback…",
    /// "threw InvalidOperationException: no config". The stderr tail is kept as written, line breaks included.
    /// </summary>
    public override string ToString()
    {
        var text = Kind switch
        {
            ModuleExitKind.Requested => "stopped on request",
            ModuleExitKind.Exited => $"exited with code {ExitCode}",
            _ => $"threw {Exception!.GetType().Name}: {Exception.Message}",
        };
        if (Cause is not null) text = $"{Cause}; {text}";
        return ErrorOutput is null ? text : $"{text}; stderr: {ErrorOutput}";
    }
}
