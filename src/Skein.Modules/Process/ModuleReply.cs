namespace Skein.Modules.Process;

/// <summary>One answer to a <see cref="ModuleCall"/>: a stream item, or the response that ends the call.</summary>
public readonly struct ModuleReply
{
    /// <summary>The caller's conversation, as the <see cref="ModuleCall"/> gave it.</summary>
    public ulong Conversation { get; init; }

    /// <summary>True for a stream item; false for the response that ends the call (after a stream's items, or alone).</summary>
    public bool IsStreamItem { get; init; }

    /// <summary>Items are numbered from 1 and a stream's closing response after them; an ordinary method's response is 0.</summary>
    public ulong Sequence { get; init; }

    /// <summary>Set when the call failed; the payload is empty then.</summary>
    public ModuleError? Error { get; init; }

    /// <summary>The payload's media type (JSON unless the module said otherwise).</summary>
    public string ContentType { get; init; }

    /// <summary>The module's value, as it sent it (not copied).</summary>
    public ReadOnlyMemory<byte> Payload { get; init; }

    /// <summary>The response that ends <paramref name="conversation"/> with <paramref name="error"/>.</summary>
    public static ModuleReply Failed(ulong conversation, ModuleError error) =>
        new() { Conversation = conversation, Error = error, ContentType = "" };
}
