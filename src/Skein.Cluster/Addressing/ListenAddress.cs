using System.Globalization;
using System.Net;

namespace Skein.Cluster.Addressing;

/// <summary>Where a coordinator listens: an IP address (or localhost, or * for every interface) and a port, 0 for a free one.</summary>
public sealed record ListenAddress(string Host, int Port)
{
    public static ListenAddress Parse(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
            throw new SkeinException($"invalid listen address '{text}': expected HOST:PORT, e.g. 127.0.0.1:7700 (port 0 picks a free port)");
        var host = text[..colon].Trim('[', ']');
        if (host is not ("localhost" or "*") && !IPAddress.TryParse(host, out _))
            throw new SkeinException($"invalid listen address '{text}': the host must be an IP address, localhost or *");
        return new ListenAddress(host, port);
    }
}
