namespace Skein.Cluster.Configuration;

/// <summary>
/// What a host's configuration (<c>Skein:Client</c>) says about the client <c>AddSkeinClient</c> connects; a null
/// member was not configured and leaves the options' own default.
/// </summary>
internal sealed class ClientSettings
{
    public string? Coordinator { get; set; }

    public string? Token { get; set; }

    public string? StateDirectory { get; set; }

    public TimeSpan? CallTimeout { get; set; }

    public TimeSpan? ConnectTimeout { get; set; }

    public int? MaxMessageBytes { get; set; }

    public void ApplyTo(SkeinClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (Coordinator is not null) options.Coordinator = Coordinator;
        if (Token is not null) options.Token = Token;
        if (StateDirectory is not null) options.StateDirectory = StateDirectory;
        if (CallTimeout is { } call) options.CallTimeout = call;
        if (ConnectTimeout is { } connect) options.ConnectTimeout = connect;
        if (MaxMessageBytes is { } bytes) options.MaxMessageBytes = bytes;
    }
}
