using Skein.Pipelines;

namespace Skein.Pipelines.Tests.Model;

public sealed class WiringTests
{
    private sealed class Source : Element
    {
        [Output] public IReadOnlyList<double> Samples { get; private set; } = [];

        [Output("label")] public string Text { get; private set; } = "";

        public override ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    private sealed class MeanElement : Element
    {
        [Input] public IReadOnlyList<double> Samples { get; set; } = [];

        [Input(Optional = true)] public string? Label { get; set; }

        [Output] public double Mean { get; private set; }

        public override ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    [Fact]
    public void Ports_are_read_from_the_marked_properties_with_kebab_case_names_and_nullability()
    {
        var ports = ElementPorts.Of(typeof(MeanElement));

        Assert.Equal(["samples", "label"], ports.Inputs.Select(p => p.Name));
        Assert.Equal(typeof(IReadOnlyList<double>), ports.FindInput("samples")!.Type);
        Assert.False(ports.FindInput("samples")!.IsNullable);
        Assert.True(ports.FindInput("label")!.IsNullable);
        Assert.True(ports.FindInput("label")!.Optional);
        Assert.Equal(["mean"], ports.Outputs.Select(p => p.Name));
        Assert.Equal(["samples", "label"], ElementPorts.Of(typeof(Source)).Outputs.Select(p => p.Name));
    }

    [Fact]
    public void A_chain_records_each_wiring_and_an_element_in_several_chains_is_one_element()
    {
        var source = new Source();
        var first = new MeanElement();
        var second = new MeanElement();

        var pipeline = new Pipeline("study", source >> first, source["samples"] >> second["samples"], first);

        Assert.Equal(3, pipeline.Elements.Count);
        Assert.Equal(["source", "mean", "mean-2"], pipeline.Elements.Select(e => e.Name));
        Assert.Equal(2, pipeline.Wires.Count);
        Assert.Equal(new Wire(source, null, first, null), pipeline.Wires[0]);
        Assert.Equal(new Wire(source, "samples", second, "samples"), pipeline.Wires[1]);
    }

    [Fact]
    public void After_a_named_input_the_chain_goes_on_from_the_element_itself()
    {
        var source = new Source();
        var mean = new MeanElement().Named("avg");
        var next = new MeanElement();

        var chain = source["samples"] >> mean["samples"] >> next;

        Assert.Equal(new Wire(mean, null, next, null), chain.Wires[1]);
        Assert.Equal("avg", new Pipeline("p", chain).Elements[1].Name);
    }

    [Fact]
    public void Fluent_settings_return_the_element_and_combine_placement()
    {
        var mean = new MeanElement().On("node-2").OnLabel("zone", "b").Invocations(5).WithRetries(2);

        Assert.Equal("node-2", mean.Placement!.Node);
        Assert.Equal("b", mean.Placement.Labels["zone"]);
        Assert.Equal(5, mean.InvocationCount);
        Assert.Equal(2, mean.Retries);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MeanElement().Invocations(0));
    }
}
