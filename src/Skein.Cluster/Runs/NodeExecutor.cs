using Skein.Cluster.Execution;
using Skein.Cluster.Membership;
using Skein.Engine;
using Skein.Cluster.Client;
using Skein.Cluster.Configuration;

namespace Skein.Cluster.Runs;

/// <summary>
/// Where the runs a coordinator hosts put their attempts by default: on the cluster's nodes, through a
/// <see cref="ClusterExecutor"/> over a client the coordinator connects to itself on first use (its address is only
/// known once it listens, and a coordinator that never hosts a run never connects).
/// </summary>
/// <remarks>
/// Before judging whether a job's tasks could ever be placed, it gives nodes <see cref="NodeGrace"/> to be there:
/// a coordinator started again after a crash resumes its runs while its nodes are still reconnecting, and a
/// <c>skein coordinator</c> may be asked to run a job a moment before its first node joins.
/// </remarks>
internal sealed class NodeExecutor(Func<Uri> coordinator, string token, MembershipRegistry membership, TimeSpan nodeGrace, TimeProvider time)
    : ITaskExecutor, IAsyncDisposable
{
    public TimeSpan NodeGrace => nodeGrace;

    /// <summary>
    /// Long enough for a node that lost its coordinator to notice, back off and join again, on a busy machine too:
    /// the wait only happens when no node at all is alive, and ends as soon as one joins.
    /// </summary>
    public static TimeSpan GraceFor(CoordinatorOptions options) => TimeSpan.FromTicks(Math.Max(options.LostAfter.Ticks * 10, TimeSpan.FromSeconds(60).Ticks));

    /// <summary>Raised when an attempt starts on a node (<see cref="ClusterExecutor.Placed"/>).</summary>
    public event Action<AttemptPlacement>? Placed;

    /// <summary>Raised when an attempt has room on a node, before it starts there.</summary>
    public event Action<AttemptGrant>? Granting;

    private readonly SemaphoreSlim _connecting = new(1, 1);
    private SkeinClient? _client;
    private ClusterExecutor? _executor;

    public async ValueTask<ActionResult> RunAsync(TaskAttempt attempt, IAttemptReporter reporter, CancellationToken cancellationToken)
    {
        var executor = await ExecutorAsync(cancellationToken).ConfigureAwait(false);
        return await executor.RunAsync(attempt, reporter, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<ValidationProblem>> CheckAsync(IReadOnlyList<TaskSpec> tasks, CancellationToken cancellationToken)
    {
        if (membership.AliveCount == 0 && tasks.Any(task => task.Action is not DelegateAction))
        {
            using var grace = new CancellationTokenSource(nodeGrace, time);
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, grace.Token);
            try
            {
                await membership.WaitForAliveAsync(1, waiting.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // No node came: the check below says so, task by task.
            }
        }
        var executor = await ExecutorAsync(cancellationToken).ConfigureAwait(false);
        return await executor.CheckAsync(tasks, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits, at most <see cref="NodeGrace"/>, until a node of each name is alive; false when the grace ran out first.
    /// A node joins again only once the attempts it was running for a lost coordinator have stopped.
    /// </summary>
    public async Task<bool> WaitForNodesAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        using var grace = new CancellationTokenSource(nodeGrace, time);
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, grace.Token);
        try
        {
            await membership.WaitUntilAsync(members => names.All(name => members.Any(m => m.State == MemberState.Alive && m.Registration.Name == name)),
                waiting.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private async ValueTask<ClusterExecutor> ExecutorAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _executor) is { } ready) return ready;
        await _connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_executor is null)
            {
                _client = await SkeinClient.ConnectAsync(coordinator(), token, cancellationToken: cancellationToken).ConfigureAwait(false);
                var executor = new ClusterExecutor(_client);
                executor.Placed += placement => Placed?.Invoke(placement);
                executor.Granting += grant => Granting?.Invoke(grant);
                Volatile.Write(ref _executor, executor);
            }
            return _executor;
        }
        finally
        {
            _connecting.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_executor is { } executor) await executor.DisposeAsync().ConfigureAwait(false);
        if (_client is { } client) await client.DisposeAsync().ConfigureAwait(false);
        _connecting.Dispose();
    }
}
