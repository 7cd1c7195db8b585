namespace Skein.Modules.Process;

/// <summary>
/// A call the node forwards to a module process (<see cref="ProcessModule.Forward"/>), in the node's terms rather than
/// the wire's: the node reads it from its caller's request and owns everything about the connection.
/// </summary>
/// <param name="conversation">The caller's conversation; every <see cref="ModuleReply"/> to the call carries it back.</param>
/// <param name="service">The service called.</param>
/// <param name="method">The method called, by its wire name.</param>
/// <param name="arguments">The arguments as JSON (a module reads nothing else); not copied, so it must stay unchanged until the call is written.</param>
public readonly struct ModuleCall(ulong conversation, string service, string method, ReadOnlyMemory<byte> arguments)
{
    public ulong Conversation { get; } = conversation;

    public string Service { get; } = service;

    public string Method { get; } = method;

    public ReadOnlyMemory<byte> Arguments { get; } = arguments;

    /// <summary>The per-connection object the call is for; 0 for none.</summary>
    public ulong Instance { get; init; }

    /// <summary>The caller's deadline, in milliseconds from when it sent the call; 0 for none. The module hears it.</summary>
    public uint TimeoutMs { get; init; }
}
