namespace Skein.Bench.Rpc.Load;

/// <summary>
/// One caller's way to reach a remote echo: the call the load runner measures. It must return its argument.
/// A target that is also <see cref="IAsyncDisposable"/> is disposed when its concurrency level ends.
/// </summary>
public interface IEchoTarget
{
    ValueTask<string> EchoAsync(string text, CancellationToken cancellationToken);
}
