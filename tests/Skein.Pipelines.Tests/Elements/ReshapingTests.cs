using System.Reflection;
using Skein.Pipelines.Elements;

namespace Skein.Pipelines.Tests.Elements;

public sealed class ReshapingTests : IDisposable
{
    private readonly ElementRun _run = new();

    public void Dispose() => _run.Dispose();

    [Fact]
    public async Task Extract_takes_a_part_of_a_value_and_map_applies_a_function_to_each_item()
    {
        var summary = new Summary("a", 3, 2, 2, 1, 3, 1, 0.95, 0.5, 3.5, 1.5, 2.5, 2.9, 2.98);

        var mean = await _run.RunAsync(new Extract<Summary, double>(s => s.Mean) { Value = summary });
        var seconds = await _run.RunAsync(new Map<double, double>(ms => ms / 1000) { Items = [1500, 250] });
        var labels = await _run.RunAsync(new Map<int, string>(i => $"#{i}") { Items = [1, 2] });

        Assert.Equal(2, mean.Result);
        Assert.Equal([1.5, 0.25], seconds.Results);
        Assert.Equal(["#1", "#2"], labels.Results);
        Assert.Equal(typeof(IReadOnlyList<string>), ElementPorts.Of(typeof(Map<int, string>)).FindOutput("items")!.Type);
    }

    [Fact]
    public async Task Merge_concatenates_the_wired_lists_and_collect_gathers_the_wired_values()
    {
        var merged = await _run.RunAsync(new Merge<double> { First = [1, 2], Second = [3], Fourth = [4] });
        var collected = await _run.RunAsync(new Collect<double> { First = 1, Second = 0, Third = 0 });

        Assert.Equal([1.0, 2, 3, 4], merged.Items);
        // The unwired fourth to eighth are left out; a wired zero is a value.
        Assert.Equal([1.0, 0, 0], collected.Items);
        Assert.True(ElementPorts.Of(typeof(Collect<double>)).FindInput("third")!.Optional);
        Assert.False(ElementPorts.Of(typeof(Merge<double>)).FindInput("second")!.Optional);
    }

    [Fact]
    public async Task Zip_pairs_lists_of_the_same_length_and_names_both_lengths_otherwise()
    {
        var zipped = await _run.RunAsync(new Zip<string, double, string>((n, s) => $"{n}={s}") { First = ["a", "b"], Second = [1, 2] });
        var failure = await _run.FailsAsync(new Zip<string, double, string>((n, s) => n) { First = ["a", "b"], Second = [1] });

        Assert.Equal(["a=1", "b=2"], zipped.Items);
        Assert.Contains("first has 2 items and second has 1", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Slice_keeps_a_run_of_items_from_the_start_or_the_end()
    {
        double[] items = [1, 2, 3, 4, 5];

        var dropTwo = await _run.RunAsync(new Slice<double>(2) { Items = items });
        var middle = await _run.RunAsync(new Slice<double>(1, 2) { Items = items });
        var lastThree = await _run.RunAsync(new Slice<double>(-3) { Items = items });
        var past = await _run.RunAsync(new Slice<double>(4, 10) { Items = items });
        var failure = await _run.FailsAsync(new Slice<double>(6) { Items = items });

        Assert.Equal([3.0, 4, 5], dropTwo.Result);
        Assert.Equal([2.0, 3], middle.Result);
        Assert.Equal([3.0, 4, 5], lastThree.Result);
        Assert.Equal([5.0], past.Result);
        Assert.Contains("the slice starts at 6, outside a list of 5 items", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sort_orders_stably_by_the_items_or_a_comparison()
    {
        var ascending = await _run.RunAsync(new Sort<double> { Items = [3, 1, 2] });
        var descending = await _run.RunAsync(new Sort<double> { Items = [3, 1, 2], Descending = true });
        var byLength = await _run.RunAsync(new Sort<string>((a, b) => a.Length.CompareTo(b.Length)) { Items = ["ccc", "b", "a", "dd"] });

        Assert.Equal([1.0, 2, 3], ascending.Result);
        Assert.Equal([3.0, 2, 1], descending.Result);
        Assert.Equal(["b", "a", "dd", "ccc"], byLength.Result);
    }

    [Theory]
    [InlineData(typeof(Collect<Summary>), "items")]
    [InlineData(typeof(Merge<Summary>), "items")]
    [InlineData(typeof(Map<double, Summary>), "items")]
    [InlineData(typeof(Sort<Summary>), "items")]
    [InlineData(typeof(Slice<string>), "items")]
    [InlineData(typeof(ParseJson<string>), "values")]
    public void Items_of_generic_outputs_are_not_null_so_they_fit_concrete_inputs(Type element, string output)
    {
        var nullability = new NullabilityInfoContext().Create(ElementPorts.Of(element).FindOutput(output)!.Property);

        Assert.Equal(NullabilityState.NotNull, nullability.ReadState);
        Assert.Equal(NullabilityState.NotNull, nullability.GenericTypeArguments[0].ReadState);
    }
}
