using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Skein.Modules;

/// <summary>
/// What a module load or control request may hold, checked at the door (the node's module control, the CLI) and again
/// by the node before it starts anything: a module name, a path, the arguments and the config, each bounded. Each check
/// returns the problem in words, naming the value and the limit, or null.
/// </summary>
public static partial class ModuleRequestRules
{
    /// <summary>The longest module name.</summary>
    public const int MaxNameLength = 64;

    /// <summary>The longest module path, in characters (PATH_MAX on Linux is 4096 bytes).</summary>
    public const int MaxPathLength = 4096;

    /// <summary>
    /// The most the arguments may take as JSON (a module process gets them in its welcome, whose header is at most 64 KiB
    /// with the config and the names).
    /// </summary>
    public const int MaxArgumentsBytes = 16 * 1024;

    /// <summary>The most the config may take as JSON (it shares the welcome's 64 KiB with the arguments).</summary>
    public const int MaxConfigBytes = 32 * 1024;

    /// <summary>The rule for module names, in words.</summary>
    public const string NameRule = "1 to 64 letters, digits, '-', '_' and '.', starting with a letter, a digit or '_'";

    // \z, not $: a name must not end with a newline either.
    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex ValidName();

    /// <summary>True when <paramref name="name"/> can name a module: it is one token of its event subjects, and a word on a command line.</summary>
    public static bool IsValidName(string name) => ValidName().IsMatch(name);

    public static string? NameProblem(string name) =>
        IsValidName(name) ? null : $"'{Shown(name)}' is not a valid module name: use {NameRule}";

    public static string? PathProblem(string path)
    {
        if (path.Length > MaxPathLength) return $"the module path is too long: {path.Length} characters, over the limit of {MaxPathLength}";
        var nul = path.IndexOf('\0', StringComparison.Ordinal);
        return nul < 0 ? null : $"the module path '{Shown(path)}' holds a NUL character (at position {nul}), which no path can";
    }

    public static string? ArgumentsProblem(IReadOnlyList<string> arguments)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(arguments, ModuleRequestJsonContext.Default.IReadOnlyListString).Length;
        return bytes <= MaxArgumentsBytes ? null : TooLarge("arguments are", bytes, MaxArgumentsBytes);
    }

    public static string? ConfigProblem(JsonElement? config)
    {
        if (config is not { } value) return null;
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, ModuleRequestJsonContext.Default.JsonElement).Length;
        return bytes <= MaxConfigBytes ? null : TooLarge("config is", bytes, MaxConfigBytes);
    }

    /// <summary>The first problem of a load request (name, path, arguments, config), or null.</summary>
    public static string? Problem(ModuleLoadRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return NameProblem(request.Name) ?? PathProblem(request.Path) ?? ArgumentsProblem(request.Arguments) ?? ConfigProblem(request.Config);
    }

    private static string TooLarge(string whatIs, int bytes, int limit) =>
        string.Create(CultureInfo.InvariantCulture, $"the module's {whatIs} too large: {bytes} bytes as JSON, over the limit of {limit / 1024} KiB ({limit} bytes)");

    // A name or path in a message: control characters escaped, and cut, so a hostile value cannot flood the message.
    private static string Shown(string text)
    {
        const int longest = 80;
        var shown = new StringBuilder();
        foreach (var c in text.Length > longest ? text[..longest] : text)
        {
            if (char.IsControl(c)) shown.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            else shown.Append(c);
        }
        if (text.Length > longest) shown.Append('…');
        return shown.ToString();
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(IReadOnlyList<string>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(JsonElement))]
internal sealed partial class ModuleRequestJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
