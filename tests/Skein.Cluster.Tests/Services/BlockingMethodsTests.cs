using Skein.Cluster.Services.Hosting;

namespace Skein.Cluster.Tests.Services;

public sealed class BlockingMethodsTests
{
    private static readonly TimeSpan Slow = BlockingMethods.Threshold * 10;
    private static readonly TimeSpan Fast = TimeSpan.Zero;

    [Fact]
    public void One_slow_synchronous_part_does_not_make_a_method_blocking()
    {
        var methods = new BlockingMethods();

        methods.Observe("s", "M", Slow);

        Assert.False(methods.IsBlocking("s", "M"));
    }

    [Fact]
    public void Two_slow_synchronous_parts_in_a_row_make_it_blocking_for_that_method_only()
    {
        var methods = new BlockingMethods();

        methods.Observe("s", "M", Slow);
        methods.Observe("s", "M", Slow);

        Assert.True(methods.IsBlocking("s", "M"));
        Assert.False(methods.IsBlocking("s", "Other"));
        Assert.False(methods.IsBlocking("t", "M"));
    }

    [Fact]
    public void A_slow_first_call_followed_by_fast_ones_is_forgotten()
    {
        var methods = new BlockingMethods();
        methods.Observe("s", "M", Slow);
        for (var i = 0; i < BlockingMethods.SlowWeight; i++) methods.Observe("s", "M", Fast);

        methods.Observe("s", "M", Slow); // as slow as the first, long after it

        Assert.False(methods.IsBlocking("s", "M"));
        Assert.Equal(BlockingMethods.SlowWeight, methods.Find("s", "M")!.Score);
    }

    [Fact]
    public void A_method_slow_more_often_than_one_call_in_four_is_blocking()
    {
        var methods = new BlockingMethods();

        for (var i = 0; i < 3; i++)
        {
            methods.Observe("s", "M", Slow);
            methods.Observe("s", "M", Fast);
            methods.Observe("s", "M", Fast);
        }

        Assert.True(methods.IsBlocking("s", "M"));
    }

    [Fact]
    public void A_blocking_method_is_fast_again_once_fast_calls_bring_its_score_to_zero()
    {
        var methods = new BlockingMethods();
        methods.Observe("s", "M", Slow);
        methods.Observe("s", "M", Slow);

        for (var i = 1; i < BlockingMethods.BlockingAt; i++)
        {
            methods.Observe("s", "M", Fast);
            Assert.True(methods.IsBlocking("s", "M"), $"fast again after only {i} fast calls");
        }
        methods.Observe("s", "M", Fast);

        Assert.False(methods.IsBlocking("s", "M"));
    }

    [Fact]
    public void Fast_calls_to_methods_never_seen_slow_remember_nothing()
    {
        var methods = new BlockingMethods();

        for (var i = 0; i < 100; i++) methods.Observe("s", $"M{i}", Fast);

        Assert.Null(methods.Find("s", "M0"));
    }
}
