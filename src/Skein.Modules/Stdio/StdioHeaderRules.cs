namespace Skein.Modules.Stdio;

/// <summary>
/// The fields each kind of frame must carry. Checked on read, so a module that forgets a conversation id is told
/// so by name instead of having its frame misrouted later.
/// </summary>
internal static class StdioHeaderRules
{
    /// <summary>The reason <paramref name="header"/> is incomplete, or null when it is fine.</summary>
    public static string? Problem(StdioFrameHeader header)
    {
        var kind = StdioFrameKindNames.ToWire(header.Kind);
        switch (header.Kind)
        {
            case StdioFrameKind.Welcome:
                return header.Module is null ? $"a {kind} frame needs module" : null;
            case StdioFrameKind.Hello:
                if (header.Services is null) return $"a {kind} frame needs services";
                foreach (var service in header.Services)
                {
                    if (string.IsNullOrEmpty(service.Name)) return "a service in the hello frame has no name";
                    if (service.Methods is null) return $"service {service.Name} in the hello frame has no methods";
                    foreach (var method in service.Methods)
                    {
                        if (string.IsNullOrEmpty(method?.Name)) return $"a method of service {service.Name} in the hello frame has no name";
                    }
                }
                return null;
            case StdioFrameKind.Request:
                if (header.Conversation is null) return $"a {kind} frame needs conversation";
                return header.Service is null || header.Method is null ? $"a {kind} frame needs service and method" : null;
            case StdioFrameKind.Response:
                if (header.Conversation is null) return $"a {kind} frame needs conversation";
                if (header.Status is null) return $"a {kind} frame needs status";
                return header.Status == StdioStatus.Error && header.Error is null ? $"a {kind} frame with status error needs error" : null;
            case StdioFrameKind.StreamItem:
            case StdioFrameKind.Cancel:
                return header.Conversation is null ? $"a {kind} frame needs conversation" : null;
            case StdioFrameKind.Event:
                return string.IsNullOrEmpty(header.Subject) ? $"a {kind} frame needs subject" : null;
            case StdioFrameKind.Log:
                return header.Message is null ? $"a {kind} frame needs message" : null;
            case StdioFrameKind.Release:
                return header.Instance is null ? $"a {kind} frame needs instance" : null;
            default:
                return null;
        }
    }
}
