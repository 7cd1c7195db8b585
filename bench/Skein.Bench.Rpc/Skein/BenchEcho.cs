namespace Skein.Bench.Rpc.Skein;

/// <summary>The echo contract the Skein row calls: one string in, the same string out.</summary>
[Service("echo")]
public interface IBenchEcho : IAsyncDisposable
{
    Task<string> EchoAsync(string text, CancellationToken cancellationToken = default);
}

/// <summary>Per-connection, Skein's default mode: each caller's proxy has its own server object.</summary>
public sealed class BenchEcho : IBenchEcho
{
    public Task<string> EchoAsync(string text, CancellationToken cancellationToken = default) => Task.FromResult(text);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>The same echo, answered by a Python module process (pyecho.py) on the node: the cross-language row.</summary>
[Service("pyecho")]
public interface IPyEcho
{
    Task<string> EchoAsync(string text, CancellationToken cancellationToken = default);

    /// <summary>How the module serves calls (concurrency, the helper's folder, the Python that runs it), for the report.</summary>
    Task<string> ServingAsync(CancellationToken cancellationToken = default);
}
