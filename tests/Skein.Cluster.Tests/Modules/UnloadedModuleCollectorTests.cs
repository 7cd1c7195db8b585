using Microsoft.Extensions.Time.Testing;
using Skein.Cluster.Services.Hosting;

namespace Skein.Cluster.Tests.Modules;

/// <summary>The collection after unloads: one per burst of unloads, once they stop, never postponed for ever.</summary>
public sealed class UnloadedModuleCollectorTests
{
    [Fact]
    public void SeveralUnloadsInARowGiveOneCollectionOnceTheyStop()
    {
        var time = new FakeTimeProvider();
        var collections = 0;
        using var collector = new UnloadedModuleCollector(time, () => collections++);

        for (var i = 0; i < 5; i++)
        {
            collector.Request();
            time.Advance(UnloadedModuleCollector.QuietPeriod / 2);
        }
        Assert.Equal(0, collections);

        time.Advance(UnloadedModuleCollector.QuietPeriod);
        Assert.Equal(1, collections);
        time.Advance(UnloadedModuleCollector.LongestWait * 2);
        Assert.Equal(1, collections);

        // A later unload asks for a collection of its own.
        collector.Request();
        time.Advance(UnloadedModuleCollector.QuietPeriod);
        Assert.Equal(2, collections);
        Assert.Equal(2, collector.Collections);
    }

    [Fact]
    public void UnloadsThatKeepArrivingStillGetACollectionAfterTheLongestWait()
    {
        var time = new FakeTimeProvider();
        var collections = 0;
        using var collector = new UnloadedModuleCollector(time, () => collections++);
        var step = UnloadedModuleCollector.QuietPeriod / 2;
        var elapsed = TimeSpan.Zero;
        for (; elapsed < UnloadedModuleCollector.LongestWait; elapsed += step)
        {
            collector.Request();
            time.Advance(step);
        }
        Assert.Equal(1, collections);
    }
}
