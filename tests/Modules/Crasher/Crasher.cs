using System.Runtime.CompilerServices;

namespace Crasher;

public sealed class Crasher : ICrasher, IDisposable
{
    private static int s_live;
    private static int s_cancelled;
    private static int s_waiting;
    private int _count;
    private int _disposed;

    public Crasher() => Interlocked.Increment(ref s_live);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) Interlocked.Decrement(ref s_live);
    }

    public Task<int> OtherObjectsAsync(CancellationToken cancellationToken = default) => Task.FromResult(Volatile.Read(ref s_live) - 1);

    public Task<string> EchoAsync(string text, CancellationToken cancellationToken = default) => Task.FromResult(text);

    public Task<int> CountAsync(CancellationToken cancellationToken = default) => Task.FromResult(Interlocked.Increment(ref _count));

    public Task<int> ProcessIdAsync(CancellationToken cancellationToken = default) => Task.FromResult(Environment.ProcessId);

    public async IAsyncEnumerable<int> RangeAsync(int count, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Yield();
            yield return i;
        }
    }

    public Task<string> ThrowAsync(string message, CancellationToken cancellationToken = default) => throw new InvalidOperationException(message);

    public async Task<string> WaitForCancelAsync(CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref s_waiting);
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Interlocked.Increment(ref s_cancelled);
            throw;
        }
        finally
        {
            Interlocked.Decrement(ref s_waiting);
        }
        return "never";
    }

    public Task<int> WaitingCallsAsync(CancellationToken cancellationToken = default) => Task.FromResult(Volatile.Read(ref s_waiting));

    public Task<int> CancelledCallsAsync(CancellationToken cancellationToken = default) => Task.FromResult(Volatile.Read(ref s_cancelled));

    public Task FailFastAsync(string message, CancellationToken cancellationToken = default)
    {
        Environment.FailFast(message);
        return Task.CompletedTask;
    }

    public Task ExitAsync(int code, CancellationToken cancellationToken = default)
    {
        Environment.Exit(code);
        return Task.CompletedTask;
    }

    public Task<string> PrintRawAsync(string text, CancellationToken cancellationToken = default)
    {
        using var stdout = Console.OpenStandardOutput();
        stdout.Write(System.Text.Encoding.UTF8.GetBytes(text + "\n"));
        stdout.Flush();
        return Task.FromResult(text);
    }

    public Task<string> PrintAsync(string text, CancellationToken cancellationToken = default)
    {
        Console.WriteLine(text);
        return Task.FromResult(text);
    }
}
