namespace Skein.Cluster.Addressing;

/// <summary>Turns what a user types (HOST:PORT or http://HOST:PORT) into the URI a gRPC channel dials.</summary>
public static class ClusterAddress
{
    public static Uri Parse(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0) throw new SkeinException("no cluster address given: expected HOST:PORT");
        var hasScheme = trimmed.Contains("://", StringComparison.Ordinal);
        var withScheme = hasScheme ? trimmed : "http://" + trimmed;
        if (!Uri.TryCreate(withScheme, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || (!hasScheme && uri.IsDefaultPort) || uri.AbsolutePath != "/" || uri.Port is < 1 or > 65535)
            throw new SkeinException($"invalid cluster address '{text}': expected HOST:PORT, e.g. 127.0.0.1:7700");
        return new Uri($"{uri.Scheme}://{uri.Authority}");
    }

    /// <summary>The address as users write it in messages: scheme, host and port, no trailing slash.</summary>
    public static string Format(Uri address) => address.GetLeftPart(UriPartial.Authority);
}
