using System.Text;
using System.Text.Json;

namespace Skein.Cli.Tests;

/// <summary>
/// <c>skein call --stdin</c> against the example services on a coordinator and two nodes: one request per line, one
/// answer per request in order, failures and malformed lines answered without stopping the batch.
/// </summary>
[Collection(ServiceClusterTests.Collection)]
public sealed class CallBatchTests(ExampleCluster cluster) : IClassFixture<ExampleCluster>
{
    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task Every_request_line_gets_its_answer_in_order_and_a_failure_does_not_stop_the_batch()
    {
        var input = string.Join('\n',
            """{"service": "echo", "method": "Echo", "args": ["hi"], "id": "first"}""",
            """{"service": "echo", "method": "Repeat", "args": ["x", 3]}""",
            """{"service": "echo", "method": "NoSuchMethod"}""",
            "",
            """{"service": "no-such-service", "method": "Get", "id": 4}""",
            """{"service": "counter", "method": "Get"}""") + "\n";

        var batch = await cluster.RunAsync(Encoding.UTF8.GetBytes(input), "call", "--stdin");

        Assert.True(batch.ExitCode == 1, batch.ToString()); // a call failed; no line was malformed
        var answers = Answers(batch.Stdout);
        Assert.Equal([1, 2, 3, 5, 6], answers.Select(a => a.GetProperty("line").GetInt32()));
        Assert.Equal("first", answers[0].GetProperty("id").GetString());
        Assert.True(answers[0].GetProperty("ok").GetBoolean());
        Assert.Equal("hi", answers[0].GetProperty("result").GetString());
        Assert.Equal(["x", "x", "x"], answers[1].GetProperty("items").EnumerateArray().Select(i => i.GetString()));
        Assert.False(answers[2].GetProperty("ok").GetBoolean());
        Assert.Equal("MethodNotFound", answers[2].GetProperty("error").GetProperty("kind").GetString());
        Assert.Equal(4, answers[3].GetProperty("id").GetInt32());
        Assert.Equal("ServiceNotFound", answers[3].GetProperty("error").GetProperty("kind").GetString());
        Assert.True(answers[4].GetProperty("ok").GetBoolean());
        Assert.Equal(JsonValueKind.Number, answers[4].GetProperty("result").ValueKind);
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_malformed_line_is_answered_named_by_its_number_and_the_batch_exits_2()
    {
        var overlong = "{\"service\": \"echo\", \"method\": \"Echo\", \"args\": [\"" + new string('y', 5 * 1024 * 1024) + "\"]}";
        var input = string.Join('\n',
            """{"service": "echo", "method": "Echo", "args": ["before"]}""",
            "this is not json",
            """{"service": "echo", "method": "Echo", "args": "not an array", "id": 7}""",
            overlong,
            """["a", "list"]""",
            """{"service": "echo", "method": "Echo", "args": ["after"]}""");

        var batch = await cluster.RunAsync(Encoding.UTF8.GetBytes(input), "call", "--stdin");

        Assert.True(batch.ExitCode == 2, batch.ToString()[..Math.Min(4000, batch.ToString().Length)]);
        var answers = Answers(batch.Stdout);
        Assert.Equal([1, 2, 3, 4, 5, 6], answers.Select(a => a.GetProperty("line").GetInt32()));
        Assert.Equal("before", answers[0].GetProperty("result").GetString());
        foreach (var bad in answers.Skip(1).Take(4))
        {
            Assert.False(bad.GetProperty("ok").GetBoolean());
            Assert.Equal("BadRequest", bad.GetProperty("error").GetProperty("kind").GetString());
        }
        Assert.Equal(7, answers[2].GetProperty("id").GetInt32());
        Assert.Contains("longer than 4 MiB", answers[3].GetProperty("error").GetProperty("message").GetString());
        Assert.Equal("after", answers[5].GetProperty("result").GetString()); // the last line needs no newline
        Assert.Contains("skein: stdin line 2: not JSON", batch.Stderr);
        Assert.Contains("skein: stdin line 3: 'args' must be a JSON array", batch.Stderr);
        Assert.Contains("skein: stdin line 4: the line is longer than 4 MiB", batch.Stderr);
        Assert.Contains("skein: stdin line 5: a request is a JSON object", batch.Stderr);
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_batch_that_all_succeeds_exits_0_and_stdin_goes_without_service_arguments()
    {
        var ok = await cluster.RunAsync(Encoding.UTF8.GetBytes("""{"service": "echo", "method": "EchoAsync", "args": ["one"]}""" + "\n"), "call", "--stdin");
        var mixed = await cluster.RunAsync([], "call", "echo", "Echo", "--stdin");
        var neither = await cluster.RunAsync("call");

        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Equal("one", Assert.Single(Answers(ok.Stdout)).GetProperty("result").GetString());
        Assert.Equal(2, mixed.ExitCode);
        Assert.Contains("--stdin reads each request's service, method and arguments from standard input", mixed.Stderr);
        Assert.Equal(2, neither.ExitCode);
        Assert.Contains("skein call needs SERVICE and METHOD", neither.Stderr);
    }

    private static List<JsonElement> Answers(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            using var json = JsonDocument.Parse(line);
            return json.RootElement.Clone();
        }).ToList();
}
