namespace Skein.Pipelines.Tests.Checking;

public sealed class CheckerTests
{
    private abstract class Test : Element
    {
        public override ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    private sealed class Parse : Test
    {
        [Output] public IReadOnlyList<string> Times { get; set; } = [];

        [Output] public int Count { get; set; }
    }

    private sealed class Numbers : Test
    {
        [Output] public List<int> Samples { get; set; } = [];

        [Output] public int[] Values { get; set; } = [];

        [Output] public double Mean { get; set; }

        [Output] public string? Label { get; set; }

        [Output] public int? Maybe { get; set; }
    }

    private sealed class Stats : Test
    {
        [Input] public IReadOnlyList<double> Samples { get; set; } = [];

        [Output] public double Mean { get; set; }
    }

    private sealed class Ints : Test
    {
        [Input] public IReadOnlyList<int> Samples { get; set; } = [];
    }

    private sealed class Enumerable : Test
    {
        [Input] public IEnumerable<double> Values { get; set; } = [];
    }

    private sealed class Whole : Test
    {
        [Input] public int Mean { get; set; }
    }

    private sealed class Wide : Test
    {
        [Input] public long Count { get; set; }

        [Input] public double Mean { get; set; }
    }

    private sealed class Text : Test
    {
        [Input] public string Label { get; set; } = "";
    }

    private sealed class MaybeText : Test
    {
        [Input] public string? Label { get; set; }
    }

    private sealed class Scalar : Test
    {
        [Input] public int Maybe { get; set; }
    }

    private sealed class Lists : Test
    {
        [Input] public IReadOnlyList<double> Mean { get; set; } = [];
    }

    private sealed class Relay : Test
    {
        [Input] public double Mean { get; set; }

        [Output("mean")] public double Out { get; set; }
    }

    private sealed class Sink : Test
    {
        [Input] public double Mean { get; set; }

        [Input(Optional = true)] public string? Note { get; set; }
    }

    private static PipelineCheck Check(params Chain[] chains) => PipelineChecker.Check(new Pipeline("p", chains));

    private static PipelineProblem Single(PipelineCheck check, PipelineProblemKind kind)
    {
        Assert.False(check.IsValid);
        return Assert.Single(check.Problems, p => p.Kind == kind);
    }

    [Fact]
    public void A_valid_pipeline_has_no_problems_its_edges_and_an_order()
    {
        var numbers = new Numbers();
        var stats = new Stats();
        var sink = new Sink();

        var check = Check(stats >> sink, numbers >> stats);

        Assert.True(check.IsValid, check.ToString());
        Assert.Equal(["numbers.samples >> stats.samples", "stats.mean >> sink.mean"], check.Edges.Select(e => e.ToString()).Order());
        Assert.Equal(["numbers", "stats", "sink"], check.Order.Select(e => e.Name));
    }

    [Fact]
    public void A_type_mismatch_names_both_elements_both_ports_and_their_types()
    {
        var parse = new Parse();
        var stats = new Stats();

        var problem = Single(Check(parse["times"] >> stats["samples"]), PipelineProblemKind.TypeMismatch);

        Assert.StartsWith("parse.times (IReadOnlyList<string>) >> stats.samples (IReadOnlyList<double>): the types do not fit", problem.Message);
        Assert.Equal(("parse", "times", "stats", "samples"), (problem.From, problem.FromPort, problem.To, problem.ToPort));
    }

    [Fact]
    public void Collections_fit_by_their_elements_and_numbers_widen_but_never_narrow()
    {
        // List<int> into IReadOnlyList<double> (elements widen), int[] into IEnumerable<double>, List<int> into IReadOnlyList<int>.
        Assert.True(Check(new Numbers() >> new Stats()).IsValid);
        Assert.True(Check(new Numbers()["values"] >> new Enumerable()["values"]).IsValid);
        Assert.True(Check(new Numbers()["samples"] >> new Ints()["samples"]).IsValid);
        // int into long, double into double.
        var numbers = new Numbers();
        Assert.True(Check(new Parse()["count"] >> new Wide()["count"], numbers["mean"] >> new Wide()["mean"]).Problems
            .All(p => p.Kind == PipelineProblemKind.MissingInput), "only the other input of each Wide is missing");

        var narrow = Single(Check(new Numbers()["mean"] >> new Whole()["mean"]), PipelineProblemKind.TypeMismatch);
        Assert.Equal("numbers.mean (double) >> whole.mean (int): the types do not fit (double to int may lose data; convert it in an element)", narrow.Message);
    }

    [Fact]
    public void Nullable_outputs_never_feed_non_nullable_inputs_but_the_other_way_is_fine()
    {
        var text = Single(Check(new Numbers()["label"] >> new Text()["label"]), PipelineProblemKind.TypeMismatch);
        Assert.Equal("numbers.label (string?) >> text.label (string): the types do not fit (string? may be null and string is not nullable)", text.Message);
        var value = Single(Check(new Numbers()["maybe"] >> new Scalar()["maybe"]), PipelineProblemKind.TypeMismatch);
        Assert.Contains("numbers.maybe (int?) >> scalar.maybe (int)", value.Message);

        Assert.True(Check(new Numbers()["label"] >> new MaybeText()["label"]).IsValid);
        Assert.True(Check(new Numbers()["mean"] >> new Sink()["mean"]).IsValid);
    }

    [Fact]
    public void Invocations_turn_an_output_into_the_list_of_its_values()
    {
        Assert.True(Check(new Numbers().Invocations(5)["mean"] >> new Lists()["mean"]).IsValid);

        var problem = Single(Check(new Numbers().Invocations(5)["mean"] >> new Sink()["mean"]), PipelineProblemKind.TypeMismatch);
        Assert.StartsWith("numbers.mean (IReadOnlyList<double>) >> sink.mean (double): the types do not fit", problem.Message);
    }

    [Fact]
    public void An_input_without_a_source_is_missing_unless_optional()
    {
        var problem = Single(Check(new Stats() >> new Sink()), PipelineProblemKind.MissingInput);

        Assert.Equal("stats.samples (IReadOnlyList<double>) has no source: wire an output to it, or mark it [Input(Optional = true)]", problem.Message);
        Assert.DoesNotContain(Check(new Stats() >> new Sink()).Problems, p => p.ToPort == "note");
    }

    [Fact]
    public void Two_sources_into_one_input_are_refused_naming_both()
    {
        var stats = new Stats();
        var problem = Single(Check(new Numbers() >> stats, new Numbers()["values"] >> stats["samples"]), PipelineProblemKind.TwoSources);

        Assert.Equal("numbers.samples (List<int>) and numbers-2.values (int[]) both feed stats.samples (IReadOnlyList<double>): an input has one source", problem.Message);
    }

    [Fact]
    public void A_port_that_does_not_exist_or_has_the_wrong_direction_is_named()
    {
        var unknown = Single(Check(new Parse()["time"] >> new Stats()["samples"]), PipelineProblemKind.UnknownPort);
        Assert.Equal("parse[\"time\"] >> stats[\"samples\"]: parse has no output 'time' (outputs: times: IReadOnlyList<string>, count: int)", unknown.Message);

        var direction = Single(Check(new Numbers()["samples"] >> new Stats()["mean"]), PipelineProblemKind.UnknownPort);
        Assert.Equal("numbers[\"samples\"] >> stats[\"mean\"]: 'mean' is an output of stats, not an input (inputs: samples: IReadOnlyList<double>)", direction.Message);
    }

    [Fact]
    public void Elements_wired_without_any_port_of_the_same_name_are_refused()
    {
        var problem = Single(Check(new Parse() >> new Sink()), PipelineProblemKind.NoMatchingPorts);

        Assert.StartsWith("parse >> sink: no output of parse (times: IReadOnlyList<string>, count: int) matches an input of sink (mean: double, note: string?) by name", problem.Message);
    }

    [Fact]
    public void A_cycle_is_named_as_a_path()
    {
        var a = new Relay().Named("a");
        var b = new Relay().Named("b");
        var c = new Relay().Named("c");

        var check = Check(new Numbers() >> a, a >> b >> c >> a);

        var problem = Single(check, PipelineProblemKind.Cycle);
        Assert.StartsWith("cycle: a → b → c → a", problem.Message);
        Assert.Single(check.Problems, p => p.Kind == PipelineProblemKind.TwoSources);
    }

    [Fact]
    public void An_element_no_start_reaches_is_reported()
    {
        var stats = new Stats();
        var check = Check(stats >> new Relay(), new Numbers()["mean"] >> new Sink());

        var problem = Single(check, PipelineProblemKind.Unreachable);
        Assert.Equal("relay cannot be reached from any start (an element with no required inputs): whatever feeds it never runs", problem.Message);
        // stats itself is reported for its missing input.
        Assert.Equal("stats", Single(check, PipelineProblemKind.MissingInput).To);
    }

    [Fact]
    public void Two_elements_with_one_name_are_refused()
    {
        var problem = Single(Check(new Numbers().Named("x") >> new Stats().Named("x")), PipelineProblemKind.DuplicateName);

        Assert.StartsWith("two elements are named 'x' (Numbers and Stats)", problem.Message);
    }

    [Fact]
    public void A_mismatch_a_missing_input_and_a_cycle_are_reported_together()
    {
        var parse = new Parse();
        var stats = new Stats();
        var a = new Relay().Named("a");
        var b = new Relay().Named("b");
        var sink = new Sink();

        var check = Check(parse["times"] >> stats["samples"], stats >> sink, a >> b >> a, new Stats().Named("lonely") >> new Sink().Named("end"));

        Assert.False(check.IsValid);
        Assert.Contains(check.Problems, p => p.Kind == PipelineProblemKind.TypeMismatch && p.Message.StartsWith("parse.times (IReadOnlyList<string>) >> stats.samples", StringComparison.Ordinal));
        Assert.Contains(check.Problems, p => p.Kind == PipelineProblemKind.MissingInput && p.Message.StartsWith("lonely.samples", StringComparison.Ordinal));
        Assert.Contains(check.Problems, p => p.Kind == PipelineProblemKind.Cycle && p.Message.StartsWith("cycle: a → b → a", StringComparison.Ordinal));
        var refused = new PipelineCheckException(check);
        Assert.Contains("cycle: a → b → a", refused.Message);
    }
}
