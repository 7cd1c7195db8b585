using System.Threading.Channels;

namespace Skein.Cluster.Membership;

/// <summary>
/// The alive members at one moment and every change after it, with nothing lost or repeated in between:
/// the registry takes the snapshot and posts changes under the same lock. A watcher that lets its buffer
/// fill is cut off (<see cref="FellBehind"/>) rather than silently skipping a change, and watches again.
/// </summary>
internal sealed class MembershipWatch : IDisposable
{
    private readonly Channel<MembershipChange> _changes;
    private readonly Action<MembershipWatch> _remove;
    private volatile bool _fellBehind;

    public MembershipWatch(IReadOnlyList<Member> snapshot, int capacity, Action<MembershipWatch> remove)
    {
        Snapshot = snapshot;
        _remove = remove;
        _changes = Channel.CreateBounded<MembershipChange>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails instead of dropping; see Post
        });
    }

    public IReadOnlyList<Member> Snapshot { get; }

    /// <summary>Completes when the watch ends: disposed, the registry disposed, or fell behind.</summary>
    public ChannelReader<MembershipChange> Changes => _changes.Reader;

    public bool FellBehind => _fellBehind;

    /// <summary>Called under the registry's lock, so it must never block.</summary>
    internal void Post(MembershipChange change)
    {
        if (_changes.Writer.TryWrite(change)) return;
        _fellBehind = true;
        _changes.Writer.TryComplete();
    }

    internal void End() => _changes.Writer.TryComplete();

    public void Dispose()
    {
        End();
        _remove(this);
    }
}
