namespace Skein.Cluster.Services.Codecs;

/// <summary>A payload that does not decode as the contract says; the caller hears it as <see cref="RemoteErrorKind.BadArguments"/>.</summary>
internal sealed class PayloadException(string message, Exception? inner = null) : Exception(message, inner);
