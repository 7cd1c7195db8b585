namespace Skein.Pipelines.Tests.Checking;

public sealed class PortFitTests
{
    private sealed class Ports : Element
    {
        [Output] public IReadOnlyList<string?> MaybeNames { get; set; } = [];

        [Input] public IReadOnlyList<string> Names { get; set; } = [];

        [Input] public List<string?> NameList { get; set; } = [];

        public override ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    private static PortType Plain(Type type) => PortType.Plain(type, nullable: false);

    private static PortType Port(string name, bool input) =>
        (input ? ElementPorts.Of(typeof(Ports)).FindInput(name) : ElementPorts.Of(typeof(Ports)).FindOutput(name))!.PortType;

    [Fact]
    public void Elements_that_may_be_null_do_not_feed_a_collection_of_non_nullable_elements()
    {
        var fit = PortFit.Check(Port("maybe-names", input: false), Port("names", input: true));

        Assert.Equal("its elements may be null (IReadOnlyList<string?>) and IReadOnlyList<string> does not take null", fit.Reason);
        Assert.True(PortFit.Check(Port("maybe-names", input: false), Port("name-list", input: true)).Fits);
    }

    [Fact]
    public void A_collection_is_copied_into_the_collection_type_an_input_declares_converting_its_elements()
    {
        var toArray = PortFit.Check(Plain(typeof(List<int>)), Plain(typeof(double[])));
        Assert.Equal(new[] { 1.0, 2.0 }, toArray.Convert!(new List<int> { 1, 2 }));

        var toList = PortFit.Check(Plain(typeof(IReadOnlyList<int>)), Plain(typeof(List<int>)));
        Assert.Equal(new List<int> { 3 }, toList.Convert!(new[] { 3 }));

        // The very value is handed on where the input accepts it.
        Assert.Null(PortFit.Check(Plain(typeof(List<int>)), Plain(typeof(IReadOnlyList<int>))).Convert);
        Assert.Null(PortFit.Check(Plain(typeof(int[])), Plain(typeof(IEnumerable<int>))).Convert);
    }

    [Fact]
    public void Numbers_widen_into_nullable_inputs_and_strings_are_not_collections_of_characters_to_copy()
    {
        var widen = PortFit.Check(Plain(typeof(int)), PortType.Plain(typeof(double?), nullable: true));
        Assert.Equal(2.0, widen.Convert!(2));

        Assert.False(PortFit.Check(Plain(typeof(string)), Plain(typeof(char[]))).Fits);
        Assert.True(PortFit.Check(Plain(typeof(string)), Plain(typeof(IEnumerable<char>))).Fits);
        Assert.Equal("a long is not a string", PortFit.Check(Plain(typeof(long)), Plain(typeof(string))).Reason);
        Assert.True(PortFit.Check(Plain(typeof(int)), Plain(typeof(object))).Fits);
    }
}
