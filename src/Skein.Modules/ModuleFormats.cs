namespace Skein.Modules;

/// <summary>
/// The well-known kinds of module file and the loader each belongs to: <c>MZ</c> (a PE file) → "assembly";
/// <c>#!</c>, ELF, or a <c>.py</c> file → "process". Loaders use it in <see cref="IModuleLoader.CanLoad"/>, and
/// <see cref="ModuleLoaders"/> uses it to explain a file whose loader is not registered.
/// </summary>
public static class ModuleFormats
{
    public const string Assembly = "assembly";

    public const string Process = "process";

    /// <summary>A .NET assembly run out of process by the module host; only ever chosen by name, never by a file's contents.</summary>
    public const string Isolated = "isolated";

    /// <summary>A PE file (every .NET assembly is one) starts with the DOS header's "MZ".</summary>
    public static bool IsPortableExecutable(ReadOnlySpan<byte> firstBytes) => firstBytes.StartsWith("MZ"u8);

    /// <summary>A script with an interpreter line, or a native executable, runs as a child process.</summary>
    public static bool IsExecutable(ReadOnlySpan<byte> firstBytes) => firstBytes.StartsWith("#!"u8) || firstBytes.StartsWith("\u007fELF"u8);

    /// <summary>A Python file without a shebang still runs, through python3.</summary>
    public static bool IsPython(string path) => path.EndsWith(".py", StringComparison.OrdinalIgnoreCase);

    /// <summary>The loader a file belongs to by these rules, or null when it is none of them.</summary>
    public static string? Guess(string path, ReadOnlySpan<byte> firstBytes)
    {
        if (IsPortableExecutable(firstBytes)) return Assembly;
        if (IsExecutable(firstBytes) || IsPython(path)) return Process;
        return null;
    }

    internal static string Describe(string loader) => loader switch
    {
        Assembly => ".NET assembly",
        Process => "script or executable to run as a process",
        _ => $"'{loader}' module",
    };
}
