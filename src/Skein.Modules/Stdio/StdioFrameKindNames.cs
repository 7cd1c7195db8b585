namespace Skein.Modules.Stdio;

/// <summary>The wire names of frame kinds, without reflection or allocation on the hot path.</summary>
internal static class StdioFrameKindNames
{
    public static string ToWire(StdioFrameKind kind) => kind switch
    {
        StdioFrameKind.Welcome => "welcome",
        StdioFrameKind.Hello => "hello",
        StdioFrameKind.Request => "request",
        StdioFrameKind.Response => "response",
        StdioFrameKind.StreamItem => "stream_item",
        StdioFrameKind.Cancel => "cancel",
        StdioFrameKind.Event => "event",
        StdioFrameKind.Shutdown => "shutdown",
        StdioFrameKind.Log => "log",
        StdioFrameKind.Release => "release",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a stdio frame kind"),
    };

    public static bool TryFromWire(ReadOnlySpan<byte> utf8, out StdioFrameKind kind)
    {
        kind = default;
        if (utf8.SequenceEqual("request"u8)) kind = StdioFrameKind.Request;
        else if (utf8.SequenceEqual("response"u8)) kind = StdioFrameKind.Response;
        else if (utf8.SequenceEqual("stream_item"u8)) kind = StdioFrameKind.StreamItem;
        else if (utf8.SequenceEqual("cancel"u8)) kind = StdioFrameKind.Cancel;
        else if (utf8.SequenceEqual("event"u8)) kind = StdioFrameKind.Event;
        else if (utf8.SequenceEqual("log"u8)) kind = StdioFrameKind.Log;
        else if (utf8.SequenceEqual("welcome"u8)) kind = StdioFrameKind.Welcome;
        else if (utf8.SequenceEqual("hello"u8)) kind = StdioFrameKind.Hello;
        else if (utf8.SequenceEqual("shutdown"u8)) kind = StdioFrameKind.Shutdown;
        else if (utf8.SequenceEqual("release"u8)) kind = StdioFrameKind.Release;
        else return false;
        return true;
    }
}
