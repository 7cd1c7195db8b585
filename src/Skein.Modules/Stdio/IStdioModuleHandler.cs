namespace Skein.Modules.Stdio;

/// <summary>
/// What a module does with the node's frames, for <see cref="StdioModuleServer"/>: it answers the welcome with the
/// services it offers, then is handed each request, cancel and release as they arrive. Requests are answered through
/// the server (<see cref="StdioModuleServer.Respond"/>, <see cref="StdioModuleServer.SendItem"/>,
/// <see cref="StdioModuleServer.Fail"/>), in any order and from any thread.
/// </summary>
public interface IStdioModuleHandler
{
    /// <summary>Prepares the module as the welcome asks (its name, id, args, config) and returns what its hello offers.</summary>
    /// <remarks>An exception here ends the run before the hello: the node reports the exit and the module's stderr.</remarks>
    Task<IReadOnlyList<StdioServiceDescription>> StartAsync(StdioFrameHeader welcome, StdioModuleServer server, CancellationToken cancellationToken);

    /// <summary>A request; must not block the caller, which reads the next frame (a cancel, say) only when this returns.</summary>
    void Request(StdioFrame request);

    /// <summary>The caller gave up on <paramref name="conversation"/>; stop its work if it still runs.</summary>
    void Cancel(ulong conversation);

    /// <summary>The node's proxy for per-connection object <paramref name="instance"/> of <paramref name="service"/> is gone.</summary>
    void Release(ulong instance, string? service);

    /// <summary>A shutdown frame or the end of stdin: finish and release everything; the process exits next.</summary>
    ValueTask StopAsync();
}
