using System.Text.Json;

namespace Skein.Modules.Stdio;

/// <summary>
/// The JSON header of a frame. One flat record for every kind, as on the wire: the fields a kind does not use
/// stay null and are not written. <see cref="StdioHeaderRules"/> says which fields each kind needs.
/// </summary>
public sealed record StdioFrameHeader
{
    public required StdioFrameKind Kind { get; init; }

    /// <summary>Ties a request to its stream items, its response and its cancel. Chosen by the node, unique among open conversations.</summary>
    public ulong? Conversation { get; init; }

    /// <summary>Position of a stream item within its conversation, from 1.</summary>
    public ulong? Sequence { get; init; }

    public string? Service { get; init; }

    /// <summary>The method's wire name, e.g. "Mean".</summary>
    public string? Method { get; init; }

    /// <summary>The per-connection object a request is for (or a release frees); absent for singleton and pooled services.</summary>
    public ulong? Instance { get; init; }

    /// <summary>Set on responses.</summary>
    public StdioStatus? Status { get; init; }

    /// <summary>Set on responses whose status is error.</summary>
    public StdioError? Error { get; init; }

    /// <summary>How the payload is encoded; "application/json" when absent.</summary>
    public string? ContentType { get; init; }

    /// <summary>The caller's remaining time budget when the node sent the request.</summary>
    public uint? TimeoutMs { get; init; }

    /// <summary>Welcome: the module's name, as loaded (one file may be loaded under two names).</summary>
    public string? Module { get; init; }

    /// <summary>Welcome: the module instance's id, unique on its node.</summary>
    public string? Id { get; init; }

    /// <summary>Welcome: the module's arguments.</summary>
    public IReadOnlyList<string>? Args { get; init; }

    /// <summary>Welcome: the module's configuration, a JSON object.</summary>
    public JsonElement? Config { get; init; }

    /// <summary>Hello: what the module offers.</summary>
    public IReadOnlyList<StdioServiceDescription>? Services { get; init; }

    /// <summary>Event: the subject it is published under.</summary>
    public string? Subject { get; init; }

    /// <summary>Log: "debug", "info", "warning" or "error".</summary>
    public string? Level { get; init; }

    /// <summary>Log: the text.</summary>
    public string? Message { get; init; }
}
