using System.Runtime.CompilerServices;

namespace Skein.Examples.Services;

/// <summary>Per-connection: every proxy gets its own <see cref="Echo"/>, released when the proxy is disposed.</summary>
[Service("echo")]
public interface IEcho : IAsyncDisposable
{
    Task<string> EchoAsync(string text, CancellationToken cancellationToken = default);

    /// <summary>How many calls this proxy's own server object has served — each proxy counts separately.</summary>
    Task<int> CallsAsync();

    /// <summary>Streams <paramref name="text"/> back <paramref name="times"/> times.</summary>
    IAsyncEnumerable<string> RepeatAsync(string text, int times, CancellationToken cancellationToken = default);
}

public sealed class Echo : IEcho
{
    private int _calls;

    public Task<string> EchoAsync(string text, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        return Task.FromResult(text);
    }

    public Task<int> CallsAsync() => Task.FromResult(Interlocked.Increment(ref _calls));

    public async IAsyncEnumerable<string> RepeatAsync(string text, int times, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < times; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return text;
            await Task.Yield();
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
