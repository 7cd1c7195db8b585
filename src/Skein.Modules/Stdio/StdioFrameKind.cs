namespace Skein.Modules.Stdio;

/// <summary>What a frame is; written in snake case on the wire ("stream_item").</summary>
public enum StdioFrameKind
{
    /// <summary>Node → module, first frame: the module's name, id, args and config.</summary>
    Welcome,

    /// <summary>Module → node, answer to the welcome: the services and methods it offers.</summary>
    Hello,

    /// <summary>Node → module: a call; the payload holds the arguments.</summary>
    Request,

    /// <summary>Module → node: the end of a conversation, its result or its error.</summary>
    Response,

    /// <summary>Module → node: one item of a streaming result, before the closing response.</summary>
    StreamItem,

    /// <summary>Node → module: the caller gave up on a conversation.</summary>
    Cancel,

    /// <summary>Module → node: an event to publish on the cluster bus under a subject.</summary>
    Event,

    /// <summary>Node → module: finish and exit.</summary>
    Shutdown,

    /// <summary>Module → node: a line for the node's log.</summary>
    Log,

    /// <summary>Node → module: the per-connection object named by instance is no longer used.</summary>
    Release,
}
