using System.Globalization;
using System.Text.RegularExpressions;
using Skein.Modules;
using Skein.Modules.Lifecycle;
using Skein.Engine;
using Skein.Cluster.Addressing;

namespace Skein.Cluster.Configuration;

/// <summary>
/// Every key skein.yaml (and a <c>SKEIN_…__…</c> variable) may set, its type and its bounds: the one description
/// both the checking and the binding in <see cref="SkeinConfiguration"/> walk, and which docs/configuration.md lists.
/// </summary>
internal static partial class ConfigurationSchema
{
    public const int MaxSeconds = 3600;

    /// <summary>Why a key a host may configure is refused in skein.yaml and SKEIN_…__… variables, which the CLI reads.</summary>
    private const string TokenNotHere =
        "the token is not read from skein.yaml or SKEIN_…__… variables: give it with --token-file, SKEIN_TOKEN or the state directory";

    public static SectionSchema Root { get; } = new("", [
        new SectionSchema("node", [
            new ValueSchema("name", ValueKinds.Text),
            new ValueSchema("token", ValueKinds.Text) { HostOnly = TokenNotHere },
            new ValueSchema("join", ValueKinds.ClusterAddress),
            new MapSchema("labels", ValueKinds.LabelKey, ValueKinds.AnyText),
            new ValueSchema("cores", ValueKinds.Whole(1, 1_000_000)),
            new ValueSchema("slots", ValueKinds.Whole(1, 1_000_000)),
            new ValueSchema("memory", ValueKinds.Bytes(1, long.MaxValue)),
            new ValueSchema("listen", ValueKinds.Listen),
            new ListSchema("modules", new SectionSchema("", [
                new ValueSchema("path", ValueKinds.ExistingPath),
                new ValueSchema("name", ValueKinds.ModuleName),
                new ValueSchema("loader", ValueKinds.Loader),
            ], Shorthand: "path", Required: "path")),
            new ListSchema("module-dirs", new ValueSchema("", ValueKinds.ExistingDirectory)),
            new ValueSchema("allow-any-module-path", ValueKinds.Boolean),
            new ValueSchema("allow-reload", ValueKinds.Boolean),
            new ValueSchema("module-restart", ValueKinds.RestartMode),
            new ValueSchema("module-on-failure", ValueKinds.FailureAction),
            new ValueSchema("max-message-size", ValueKinds.Bytes(1024, 1024 * 1024 * 1024)),
            new ValueSchema("lease-timeout", ValueKinds.Duration(MaxSeconds)),
            new ValueSchema("join-timeout", ValueKinds.Duration(MaxSeconds)),
            new ValueSchema("register-ceiling", ValueKinds.Duration(24 * MaxSeconds)),
            new ValueSchema("max-reconnect-delay", ValueKinds.Duration(MaxSeconds)),
        ]),
        new SectionSchema("coordinator", [
            new ValueSchema("listen", ValueKinds.Listen),
            new ValueSchema("heartbeat-interval", ValueKinds.Duration(MaxSeconds)),
            new ValueSchema("lost-after", ValueKinds.Duration(MaxSeconds)),
            new ValueSchema("event-history", ValueKinds.Whole(0, 10_000_000)),
            new ValueSchema("event-history-size", ValueKinds.Bytes(1, long.MaxValue)),
            new ValueSchema("max-event-size", ValueKinds.Bytes(1, int.MaxValue)),
            new ValueSchema("artifact-limit", ValueKinds.Bytes(0, long.MaxValue / 2)),
        ]),
        // What AddSkeinClient connects with; the CLI's client commands take flags instead.
        new SectionSchema("client", [
            new ValueSchema("coordinator", ValueKinds.ClusterAddress),
            new ValueSchema("token", ValueKinds.Text),
            new ValueSchema("state-directory", ValueKinds.Text),
            new ValueSchema("call-timeout", ValueKinds.Duration(MaxSeconds)),
            new ValueSchema("connect-timeout", ValueKinds.Duration(MaxSeconds)),
            new ValueSchema("max-message-size", ValueKinds.Bytes(1024, 1024 * 1024 * 1024)),
        ]) { HostOnly = "the 'client' section is read by applications that host a client (AddSkeinClient), not by the skein command" },
    ]);

    /// <summary>
    /// The configuration path of an environment variable's parts (NODE, MODULE_RESTART): each part naming a key of the
    /// schema becomes that key's spelling (any case, <c>_</c> for <c>-</c>); a part the user names (a label, a list
    /// index) or that the schema does not know stays as written, so a misspelt one is reported as it was typed.
    /// </summary>
    public static string[] Canonical(string[] parts)
    {
        var result = (string[])parts.Clone();
        SchemaNode? at = Root;
        for (var i = 0; i < parts.Length && at is not null; i++)
        {
            switch (at)
            {
                case SectionSchema section:
                    var child = section.Find(parts[i], loose: true);
                    if (child is not null) result[i] = child.Name;
                    at = child;
                    break;
                case ListSchema list:
                    at = list.Element; // this part is the index
                    break;
                default:
                    at = null; // a map's keys and anything below a value are the user's
                    break;
            }
        }
        return result;
    }

    /// <summary>Letters, digits, '-' and '_', starting with a letter or digit: module.yaml's rule for a module's name.</summary>
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]*$")]
    internal static partial Regex ModuleNamePattern();
}

internal abstract record SchemaNode(string Name)
{
    /// <summary>
    /// Set on keys only an application's host may configure (appsettings.json, its own sources): skein.yaml and the
    /// SKEIN_…__… variables, which the CLI reads, refuse them with this reason rather than read what the CLI ignores.
    /// </summary>
    public string? HostOnly { get; init; }
}

/// <summary>A mapping of known keys; <paramref name="Shorthand"/> is the key a plain value stands for (a module given as its path).</summary>
internal sealed record SectionSchema(string Name, IReadOnlyList<SchemaNode> Children, string? Shorthand = null, string? Required = null) : SchemaNode(Name)
{
    public IReadOnlyList<string> Keys => Children.Select(c => c.Name).ToList();

    /// <param name="loose">
    /// Any case, with or without '-' and '_' between words (environment variables, appsettings.json: <c>MODULE_RESTART</c>,
    /// <c>ModuleRestart</c>); otherwise exactly as the schema writes it (skein.yaml: <c>module-restart</c>).
    /// </param>
    public SchemaNode? Find(string key, bool loose) => Children.FirstOrDefault(c => loose
        ? string.Equals(Squeeze(c.Name), Squeeze(key), StringComparison.OrdinalIgnoreCase)
        : string.Equals(c.Name, key, StringComparison.Ordinal));

    private static string Squeeze(string key) => key.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
}

/// <summary>One value of a <see cref="ValueKind"/>.</summary>
internal sealed record ValueSchema(string Name, ValueKind Kind) : SchemaNode(Name);

/// <summary>A mapping whose keys the user chooses (labels), each checked by <paramref name="Key"/>, of values of one kind.</summary>
internal sealed record MapSchema(string Name, ValueKind Key, ValueKind Value) : SchemaNode(Name);

/// <summary>A list of <paramref name="Element"/>s.</summary>
internal sealed record ListSchema(string Name, SchemaNode Element) : SchemaNode(Name);

/// <summary>The result of reading one value: the value, or why it is not one ("must be …, not '…'").</summary>
internal readonly record struct Parsed(object? Value, string? Error)
{
    public static Parsed Ok(object value) => new(value, null);

    public static Parsed Fail(string error) => new(null, error);
}

/// <summary>How a value is written (for docs and messages) and read; <c>baseDirectory</c> is where a relative path starts.</summary>
internal sealed record ValueKind(string Type, Func<string, string, Parsed> Parse);

internal static class ValueKinds
{
    public static ValueKind AnyText { get; } = new("text", (text, _) => Parsed.Ok(text));

    public static ValueKind Text { get; } = new("text", (text, _) =>
        string.IsNullOrWhiteSpace(text) ? Parsed.Fail("must not be blank") : Parsed.Ok(text.Trim()));

    public static ValueKind ModuleName { get; } = new("module name", (text, _) =>
        ConfigurationSchema.ModuleNamePattern().IsMatch(text)
            ? Parsed.Ok(text)
            : Parsed.Fail($"must be a module name of letters, digits, '-' and '_', starting with a letter or digit, not '{text}'"));

    public static ValueKind LabelKey { get; } = new("label key", (text, _) =>
        text.Length > 0 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '/')
            ? Parsed.Ok(text)
            : Parsed.Fail($"is not a label key: use letters, digits, '.', '-', '_' and '/'"));

    public static ValueKind Boolean { get; } = new("true or false", (text, _) => text.Trim().ToLowerInvariant() switch
    {
        "true" => Parsed.Ok(true),
        "false" => Parsed.Ok(false),
        _ => Parsed.Fail($"must be true or false, not '{text}'"),
    });

    public static ValueKind Listen { get; } = new("HOST:PORT", (text, baseDirectory) =>
    {
        try
        {
            _ = ListenAddress.Parse(text.Trim());
            return Parsed.Ok(text.Trim());
        }
        catch (SkeinException)
        {
            return Parsed.Fail($"must be HOST:PORT with an IP address, localhost or * as HOST (port 0 picks a free one), not '{text}'");
        }
    });

    public static ValueKind ClusterAddress { get; } = new("HOST:PORT", (text, _) =>
    {
        try
        {
            return Parsed.Ok(Skein.Cluster.Addressing.ClusterAddress.Format(Skein.Cluster.Addressing.ClusterAddress.Parse(text)));
        }
        catch (SkeinException)
        {
            return Parsed.Fail($"must be the coordinator's HOST:PORT, e.g. 10.0.0.1:7700, not '{text}'");
        }
    });

    public static ValueKind RestartMode { get; } = new("permanent, transient or temporary", (text, _) =>
    {
        try
        {
            return Parsed.Ok(RestartPolicy.ParseMode(text));
        }
        catch (FormatException)
        {
            return Parsed.Fail($"must be permanent, transient or temporary, not '{text}'");
        }
    });

    public static ValueKind FailureAction { get; } = new("withdraw or fail-node", (text, _) =>
    {
        try
        {
            return Parsed.Ok(ModuleFailureActions.Parse(text));
        }
        catch (FormatException)
        {
            return Parsed.Fail($"must be withdraw or fail-node, not '{text}'");
        }
    });

    public static ValueKind Loader { get; } = new("assembly, process or isolated", (text, _) =>
        text.Trim() is ModuleFormats.Assembly or ModuleFormats.Process or ModuleFormats.Isolated
            ? Parsed.Ok(text.Trim())
            : Parsed.Fail($"must be assembly, process or isolated, not '{text}'"));

    /// <summary>A module's file or folder, which must be there: a node would otherwise fail after the others started.</summary>
    public static ValueKind ExistingPath { get; } = new("path", (text, baseDirectory) =>
    {
        if (string.IsNullOrWhiteSpace(text)) return Parsed.Fail("must not be blank");
        var full = Path.GetFullPath(text, baseDirectory);
        return File.Exists(full) || Directory.Exists(full) ? Parsed.Ok(full) : Parsed.Fail($"names a module that does not exist: {full}");
    });

    public static ValueKind ExistingDirectory { get; } = new("directory", (text, baseDirectory) =>
    {
        if (string.IsNullOrWhiteSpace(text)) return Parsed.Fail("must not be blank");
        var full = Path.GetFullPath(text, baseDirectory);
        return Directory.Exists(full) ? Parsed.Ok(full) : Parsed.Fail($"names a directory that does not exist: {full}");
    });

    public static ValueKind Whole(long minimum, long maximum) => new($"whole number, {minimum} to {maximum}", (text, _) =>
        long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) && number >= minimum && number <= maximum
            ? Parsed.Ok(number)
            : Parsed.Fail($"must be a whole number from {minimum} to {maximum}, not '{text}'"));

    /// <summary>A size in bytes, plain or with a binary unit: 1048576, 1024KiB, 16MiB, 1GiB.</summary>
    public static ValueKind Bytes(long minimum, long maximum) => new("size: bytes, or a number with KiB, MiB or GiB", (text, _) =>
    {
        var bytes = ParseBytes(text);
        if (bytes is null) return Parsed.Fail($"must be a size such as 65536, 64KiB, 16MiB or 1GiB, not '{text}'");
        if (bytes >= minimum && bytes <= maximum) return Parsed.Ok(bytes.Value);
        return Parsed.Fail(maximum == long.MaxValue
            ? $"must be at least {Size(minimum)}, not '{text}'"
            : $"must be from {Size(minimum)} to {Size(maximum)}, not '{text}'");
    });

    public static ValueKind Duration(int maximumSeconds) => new("duration: 500ms, 30s, 5m, 1h", (text, _) =>
    {
        if (!Durations.TryParse(text, out var duration))
        {
            var hint = double.TryParse(text.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double _) ? $" (did you mean '{text.Trim()}s'?)" : "";
            return Parsed.Fail($"must be a duration such as 500ms, 30s, 5m or 1h, not '{text}'{hint}");
        }
        return duration <= TimeSpan.Zero || duration > TimeSpan.FromSeconds(maximumSeconds)
            ? Parsed.Fail($"must be longer than zero and at most {Durations.Format(TimeSpan.FromSeconds(maximumSeconds))}, not '{text}'")
            : Parsed.Ok(duration);
    });

    private static long? ParseBytes(string text)
    {
        var span = text.Trim();
        var digits = 0;
        while (digits < span.Length && char.IsAsciiDigit(span[digits])) digits++;
        if (digits == 0 || !long.TryParse(span.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var number)) return null;
        long scale = span[digits..].Trim() switch
        {
            "" or "B" => 1,
            "KiB" => 1024,
            "MiB" => 1024 * 1024,
            "GiB" => 1024 * 1024 * 1024,
            _ => 0,
        };
        if (scale == 0 || number > long.MaxValue / scale) return null;
        return number * scale;
    }

    private static string Size(long bytes) => bytes switch
    {
        >= 1024 * 1024 when bytes % (1024 * 1024) == 0 => $"{bytes / (1024 * 1024)}MiB",
        >= 1024 when bytes % 1024 == 0 => $"{bytes / 1024}KiB",
        _ => bytes.ToString(CultureInfo.InvariantCulture),
    };
}
