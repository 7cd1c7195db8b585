using Skein.Pipelines.Elements;

namespace Skein.Pipelines.Tests.Elements;

public sealed class ElementWireCheckTests
{
    [Fact]
    public void Summaries_cross_nodes_and_are_kept_for_resume()
    {
        var summary = new Summary("fast", 4, 2, 2, 1.98, 2.02, 0.01, 0.95, 1.9, 2.1, 1.99, 2.01, 2.02, 2.02);
        IReadOnlyList<Summary> list = [summary, summary with { Label = "slow" }];
        var bytes = ElementWire.EncodeValues([("summary", typeof(Summary), summary), ("items", typeof(IReadOnlyList<Summary>), list)]);
        var values = ElementWire.DecodeValues(bytes);

        Assert.Equal(summary, ElementWire.Decode(typeof(Summary), values["summary"]));
        Assert.Equal(list, (IReadOnlyList<Summary>)ElementWire.Decode(typeof(IReadOnlyList<Summary>), values["items"])!);

        var element = new Summarize();
        var kept = KeptOutputs.Keep(element, new Dictionary<string, object?> { ["summary"] = summary }, () => TextWriter.Null);
        Assert.True(KeptOutputs.TryRead(element, element.Ports.FindOutput("summary")!, kept, out var read, out var problem), problem);
        Assert.Equal(summary, read);
    }
}
