using Skein;

namespace Crasher;

[Service("crasher")]
public interface ICrasher
{
    Task<string> EchoAsync(string text, CancellationToken cancellationToken = default);

    /// <summary>Counts the calls made to this object: a per-connection service gives each proxy its own count.</summary>
    Task<int> CountAsync(CancellationToken cancellationToken = default);

    /// <summary>The id of the process the module runs in.</summary>
    Task<int> ProcessIdAsync(CancellationToken cancellationToken = default);

    IAsyncEnumerable<int> RangeAsync(int count, CancellationToken cancellationToken = default);

    Task<string> ThrowAsync(string message, CancellationToken cancellationToken = default);

    /// <summary>Waits until the call is cancelled, then remembers that it was.</summary>
    Task<string> WaitForCancelAsync(CancellationToken cancellationToken = default);

    /// <summary>How many calls are waiting in <see cref="WaitForCancelAsync"/> now (across objects).</summary>
    Task<int> WaitingCallsAsync(CancellationToken cancellationToken = default);

    /// <summary>How many calls so far saw their cancellation (across objects).</summary>
    Task<int> CancelledCallsAsync(CancellationToken cancellationToken = default);

    /// <summary>How many Crasher objects are alive in this process, other than the one answering.</summary>
    Task<int> OtherObjectsAsync(CancellationToken cancellationToken = default);

    /// <summary>Ends the process at once with <c>Environment.FailFast</c>.</summary>
    Task FailFastAsync(string message, CancellationToken cancellationToken = default);

    /// <summary>Ends the process with <c>Environment.Exit</c>.</summary>
    Task ExitAsync(int code, CancellationToken cancellationToken = default);

    /// <summary>Writes to Console.Out, which in a module host must not reach the protocol's stdout.</summary>
    Task<string> PrintAsync(string text, CancellationToken cancellationToken = default);

    /// <summary>Writes to the stdout descriptor itself, as native code would, bypassing Console.Out.</summary>
    Task<string> PrintRawAsync(string text, CancellationToken cancellationToken = default);
}
