namespace Skein.Bench.Rpc.Load;

/// <summary>A target answered something other than the argument: its figures would mean nothing.</summary>
public sealed class EchoMismatchException(string sent, string? received)
    : Exception($"echo returned '{received}' for '{sent}'")
{
    public string Sent { get; } = sent;

    public string? Received { get; } = received;
}
