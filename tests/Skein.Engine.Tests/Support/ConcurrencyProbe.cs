namespace Skein.Engine.Tests.Support;

/// <summary>Counts how many callers are inside at once and remembers the most there ever were.</summary>
internal sealed class ConcurrencyProbe
{
    private int _current;
    private int _max;

    public int Current => Volatile.Read(ref _current);
    public int Max => Volatile.Read(ref _max);

    public int Enter()
    {
        var now = Interlocked.Increment(ref _current);
        var max = Volatile.Read(ref _max);
        while (now > max)
        {
            var seen = Interlocked.CompareExchange(ref _max, now, max);
            if (seen == max) break;
            max = seen;
        }
        return now;
    }

    public void Exit() => Interlocked.Decrement(ref _current);
}
