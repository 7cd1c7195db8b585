using Skein.Pipelines.Elements;

namespace Skein.Pipelines.Tests.Elements;

public sealed class ParserTests : IDisposable
{
    private readonly ElementRun _run = new();

    public void Dispose() => _run.Dispose();

    [Fact]
    public async Task Numbers_come_from_the_value_group_then_group_one_then_the_whole_match()
    {
        var named = await _run.RunAsync(new ParseNumbers(@"(run) took (?<value>[0-9.]+) ms") { Text = "warm-up\nrun took 12.5 ms\n" });
        var first = await _run.RunAsync(new ParseNumbers(@"time=([-0-9.e]+)") { Texts = ["time=1e3", "x time=-2.5 y"] });
        var whole = await _run.RunAsync(new ParseNumbers(@"[0-9]+") { Text = "abc 42 def 7" });
        var all = await _run.RunAsync(new ParseNumbers(@"[0-9]+") { Text = "abc 42 def 7", AllMatches = true });

        Assert.Equal([12.5], named.Values);
        Assert.Equal([1000, -2.5], first.Values);
        Assert.Equal([42], whole.Values);
        Assert.Equal([42, 7], all.Values);
    }

    [Fact]
    public async Task A_text_without_a_match_fails_naming_the_text_and_quoting_it()
    {
        var failure = await _run.FailsAsync(new ParseNumbers(@"time=([0-9.]+)") { Texts = ["time=1", "Exception in thread main\n  at Foo.bar"] });

        Assert.Equal("element-under-test: /time=([0-9.]+)/ does not match text 2 of 2: \"Exception in thread main⏎  at Foo.bar\"", failure.Message);
    }

    [Fact]
    public async Task A_match_that_is_not_a_number_and_a_missing_text_fail_clearly()
    {
        var notNumber = await _run.FailsAsync(new ParseNumbers(@"time=(\S+)") { Text = "time=fast" });
        var none = await _run.FailsAsync(new ParseNumbers(@"x"));
        var both = await _run.FailsAsync(new ParseNumbers(@"x") { Text = "x", Texts = ["x"] });

        Assert.Contains("matched \"fast\" in the text, which is not a number", notNumber.Message, StringComparison.Ordinal);
        Assert.Contains("neither text nor texts is set", none.Message, StringComparison.Ordinal);
        Assert.Contains("both text and texts are set", both.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JSON_fields_are_found_by_dotted_paths_with_indexes_and_wildcards()
    {
        const string json = """{"a": {"b": [{"c": 1.5}, {"c": 2}]}, "runs": [{"t": 3, "name": "x"}, {"t": 4, "name": "y"}], "m": {"p": 5, "q": 6}}""";

        var indexed = await _run.RunAsync(new ParseJson<double>("a.b[0].c") { Text = json });
        var fromEnd = await _run.RunAsync(new ParseJson<double>("a.b[-1].c") { Text = json });
        var every = await _run.RunAsync(new ParseJson<int>("runs[*].t") { Texts = [json, json] });
        var properties = await _run.RunAsync(new ParseJson<double>("m.*") { Text = json });
        var texts = await _run.RunAsync(new ParseJson<string>("runs[*].name") { Text = json });
        var raw = await _run.RunAsync(new ParseJson<string>("a.b[1]") { Text = json });
        var quoted = await _run.RunAsync(new ParseJson<double>("['odd.name'].v") { Text = """{"odd.name": {"v": 9}}""" });

        Assert.Equal([1.5], indexed.Values);
        Assert.Equal([2.0], fromEnd.Values);
        Assert.Equal([3, 4, 3, 4], every.Values);
        Assert.Equal([5.0, 6.0], properties.Values);
        Assert.Equal(["x", "y"], texts.Values);
        Assert.Equal(["""{"c": 2}"""], raw.Values);
        Assert.Equal([9.0], quoted.Values);
    }

    [Fact]
    public async Task JSON_that_is_invalid_lacks_the_path_or_has_the_wrong_type_fails_naming_it()
    {
        var invalid = await _run.FailsAsync(new ParseJson<double>("a") { Texts = ["{\"a\": 1}", "{oops"] });
        var missing = await _run.FailsAsync(new ParseJson<double>("a.b") { Text = "{\"a\": {\"c\": 1}}" });
        var wrongType = await _run.FailsAsync(new ParseJson<double>("a") { Text = "{\"a\": \"fast\"}" });

        Assert.Contains("text 2 of 2 is not JSON", invalid.Message, StringComparison.Ordinal);
        Assert.Contains("a.b finds nothing in the text: \"{\"a\": {\"c\": 1}}\"", missing.Message, StringComparison.Ordinal);
        Assert.Contains("a in the text is \"\"fast\"\", not a double", wrongType.Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => new ParseJson<double>("a..b"));
        Assert.Throws<FormatException>(() => new ParseJson<double>("a[x]"));
        Assert.Throws<FormatException>(() => new ParseJson<double>("a[0"));
    }

    [Fact]
    public async Task CSV_columns_are_read_by_header_or_index_with_quoted_fields()
    {
        const string csv = "name,seconds,note\n\"quick, sort\",1.25,\"said \"\"fast\"\"\"\nmerge,2.5,\"two\nlines\"\n";

        var byName = await _run.RunAsync(new ParseCsv<double>("seconds") { Text = csv });
        var names = await _run.RunAsync(new ParseCsv<string>("name") { Text = csv });
        var notes = await _run.RunAsync(new ParseCsv<string>(2) { Text = csv });
        var noHeader = await _run.RunAsync(new ParseCsv<int>(1) { Texts = ["a;1\nb;2", "c;3"], HasHeader = false, Delimiter = ";" });

        Assert.Equal([1.25, 2.5], byName.Values);
        Assert.Equal(["quick, sort", "merge"], names.Values);
        Assert.Equal(["said \"fast\"", "two\nlines"], notes.Values);
        Assert.Equal([1, 2, 3], noHeader.Values);
    }

    [Fact]
    public async Task A_missing_column_or_a_field_of_the_wrong_type_fails_naming_the_line()
    {
        var noColumn = await _run.FailsAsync(new ParseCsv<double>("time") { Text = "name,seconds\na,1\n" });
        var notNumber = await _run.FailsAsync(new ParseCsv<double>("seconds") { Text = "name,seconds\na,1\nb,slow\n" });
        var short_ = await _run.FailsAsync(new ParseCsv<double>(3) { Text = "name,seconds\na,1\n" });

        Assert.Contains("the text has no column \"time\" (its columns: \"name\", \"seconds\")", noColumn.Message, StringComparison.Ordinal);
        Assert.Contains("line 3 of the text: \"slow\" is not a double", notNumber.Message, StringComparison.Ordinal);
        Assert.Contains("line 2 of the text has no column 4", short_.Message, StringComparison.Ordinal);
    }
}
