using System.Runtime.CompilerServices;

namespace Skein.Cluster.Tests.Services;

[Service("test-echo")]
public interface ITestEcho : IAsyncDisposable
{
    Task<string> EchoAsync(string text, CancellationToken cancellationToken = default);

    Task<byte[]> BytesAsync(byte[] data);

    ValueTask<int> AddAsync(int a, int b);

    Task FailAsync(string message);

    IAsyncEnumerable<int> CountAsync(int count, CancellationToken cancellationToken = default);

    /// <summary>Waits until cancelled; reports the cancel through <see cref="TestEcho.Cancelled"/>.</summary>
    Task<string> HangAsync(string tag, CancellationToken cancellationToken = default);

    Task<Point> MoveAsync(Point point, int dx);

    /// <summary>Ignores its token: waits until the test calls <see cref="TestEcho.Unstick"/>, then returns the tag.</summary>
    Task<string> StuckAsync(string tag);

    /// <summary>Blocks its thread (badly written on purpose) before returning.</summary>
    Task<int> BlockAsync(int milliseconds);
}

public sealed record Point(int X, int Y);

public sealed class TestEcho : ITestEcho
{
    public static readonly TaskCompletionSourceRegistry Cancelled = new();

    public Task<string> EchoAsync(string text, CancellationToken cancellationToken = default) => Task.FromResult(text);

    public Task<byte[]> BytesAsync(byte[] data) => Task.FromResult(data);

    public ValueTask<int> AddAsync(int a, int b) => ValueTask.FromResult(a + b);

    public Task FailAsync(string message) => throw new InvalidOperationException(message, new ArgumentException("the inner cause"));

    public async IAsyncEnumerable<int> CountAsync(int count, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        try
        {
            for (var i = 1; i <= count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return i;
                await Task.Yield();
            }
        }
        finally
        {
            if (cancellationToken.IsCancellationRequested) Cancelled.Signal("count");
        }
    }

    public async Task<string> HangAsync(string tag, CancellationToken cancellationToken = default)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return tag;
        }
        finally
        {
            Cancelled.Signal(tag);
        }
    }

    public Task<Point> MoveAsync(Point point, int dx) => Task.FromResult(point with { X = point.X + dx });

    private static readonly TaskCompletionSourceRegistry s_unstuck = new();

    public static readonly TaskCompletionSourceRegistry Started = new();

    public async Task<string> StuckAsync(string tag)
    {
        Started.Signal(tag);
        await s_unstuck.WaitAsync(tag, Timeout.InfiniteTimeSpan);
        return tag;
    }

    /// <summary>Lets <see cref="StuckAsync"/> with this tag return.</summary>
    public static void Unstick(string tag) => s_unstuck.Signal(tag);

    public Task<int> BlockAsync(int milliseconds)
    {
        Thread.Sleep(milliseconds); // the behaviour under test: a handler that blocks instead of awaiting
        return Task.FromResult(milliseconds);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

[Service("test-counter")]
public interface ITestCounter
{
    Task<int> IncrementAsync();
}

[ServiceInstance(InstanceMode.Singleton)]
public sealed class TestCounter : ITestCounter
{
    private int _count;

    public Task<int> IncrementAsync() => Task.FromResult(Interlocked.Increment(ref _count));
}

[Service("test-limited")]
public interface ITestLimited : IAsyncDisposable
{
    Task<int> IdAsync();
}

[ServiceInstance(InstanceMode.PerConnection, Capacity = 2)]
public sealed class TestLimited : ITestLimited
{
    private static int _next;
    private readonly int _id = Interlocked.Increment(ref _next);

    public Task<int> IdAsync() => Task.FromResult(_id);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>Named signals a test can wait for with a timeout (instead of sleeping).</summary>
public sealed class TaskCompletionSourceRegistry
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource> _signals = new();

    public void Signal(string name) => Get(name).TrySetResult();

    public Task WaitAsync(string name, TimeSpan timeout) => Get(name).Task.WaitAsync(timeout);

    private TaskCompletionSource Get(string name) => _signals.GetOrAdd(name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
