using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Skein.Modules.Stdio;

namespace Skein.Cluster.Tests.Modules;

/// <summary>
/// The cross-language path: the C# codec talks to examples/modules/stats/stats.py, running under python3 as a
/// real child process, through the Python helper in sdk/python.
/// </summary>
public sealed class PythonModuleTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_stats_module_says_hello_with_its_service_and_methods()
    {
        await using var module = StartStats();
        var hello = await module.HandshakeAsync("stats", Token);

        var stats = Assert.Single(hello.Services!);
        Assert.Equal("stats", stats.Name);
        Assert.Equal(InstanceMode.Singleton, stats.Mode);
        Assert.Equal(new[] { "Describe", "Mean", "Median", "RunningMean" }, stats.Methods.Select(m => m.Name).Order(StringComparer.Ordinal));
        var mean = stats.Methods.Single(m => m.Name == "Mean");
        Assert.Equal(new[] { "List[float]" }, mean.Parameters);
        Assert.False(mean.Streaming);
        Assert.True(stats.Methods.Single(m => m.Name == "RunningMean").Streaming);
    }

    [Fact]
    public async Task Mean_of_1_2_3_4_is_2_5()
    {
        await using var module = StartStats();
        await module.HandshakeAsync("stats", Token);

        var response = await CallAsync(module, 1, "Mean", "[[1,2,3,4]]");

        Assert.Equal(StdioStatus.Ok, response.Header.Status);
        Assert.Equal(2.5, JsonDocument.Parse(response.Payload).RootElement.GetDouble());
    }

    [Fact]
    public async Task The_exact_python_name_is_accepted_too()
    {
        await using var module = StartStats();
        await module.HandshakeAsync("stats", Token);

        var response = await CallAsync(module, 1, "median", "[[3,1,2]]");

        Assert.Equal(2, JsonDocument.Parse(response.Payload).RootElement.GetDouble());
    }

    [Fact]
    public async Task Median_of_nothing_is_an_application_error_with_the_python_type_and_traceback()
    {
        await using var module = StartStats();
        await module.HandshakeAsync("stats", Token);

        var response = await CallAsync(module, 5, "Median", "[[]]");

        Assert.Equal(StdioStatus.Error, response.Header.Status);
        var error = response.Header.Error!;
        Assert.Equal(RemoteErrorKind.Application, error.Kind);
        Assert.Equal("statistics.StatisticsError", error.Type);
        Assert.Equal("no median for empty data", error.Message);
        Assert.Contains("in median", error.StackTrace, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Mean", "[]", RemoteErrorKind.BadArguments)]
    [InlineData("Mean", "[[1],[2]]", RemoteErrorKind.BadArguments)]
    [InlineData("Mean", "{\"values\":[1]}", RemoteErrorKind.BadArguments)]
    [InlineData("Mean", "not json", RemoteErrorKind.BadArguments)]
    [InlineData("Sum", "[[1]]", RemoteErrorKind.MethodNotFound)]
    public async Task Calls_the_module_cannot_make_are_framework_errors(string method, string arguments, RemoteErrorKind kind)
    {
        await using var module = StartStats();
        await module.HandshakeAsync("stats", Token);

        var response = await CallAsync(module, 2, method, arguments);

        Assert.Equal(StdioStatus.Error, response.Header.Status);
        Assert.Equal(kind, response.Header.Error!.Kind);
        Assert.Equal("Skein." + kind, response.Header.Error.Type);
    }

    [Fact]
    public async Task An_unknown_service_is_service_not_found()
    {
        await using var module = StartStats();
        await module.HandshakeAsync("stats", Token);

        await module.Writer.WriteFrameAsync(Request(3, "graphs", "Mean", "[[1]]"), Token);
        var response = await module.ReadAsync(Token);

        Assert.Equal(RemoteErrorKind.ServiceNotFound, response.Header.Error!.Kind);
    }

    [Fact]
    public async Task RunningMean_streams_one_item_per_value_then_an_empty_response()
    {
        await using var module = StartStats();
        await module.HandshakeAsync("stats", Token);

        await module.Writer.WriteFrameAsync(Request(8, "RunningMean", "[[1,2,3]]"), Token);
        var items = new List<(ulong Sequence, double Value)>();
        StdioFrame frame;
        while ((frame = await module.ReadAsync(Token)).Kind == StdioFrameKind.StreamItem)
        {
            Assert.Equal(8UL, frame.Header.Conversation);
            items.Add((frame.Header.Sequence!.Value, JsonDocument.Parse(frame.Payload).RootElement.GetDouble()));
        }

        Assert.Equal(new[] { (1UL, 1.0), (2UL, 1.5), (3UL, 2.0) }, items);
        Assert.Equal(StdioFrameKind.Response, frame.Kind);
        Assert.Equal(8UL, frame.Header.Conversation);
        Assert.Equal(StdioStatus.Ok, frame.Header.Status);
        Assert.True(frame.Payload.IsEmpty);
    }

    [Fact]
    public async Task Many_calls_at_once_are_each_answered_under_their_own_conversation()
    {
        await using var module = StartStats();
        await module.HandshakeAsync("stats", Token);

        await Task.WhenAll(Enumerable.Range(1, 20).Select(i =>
            module.Writer.WriteFrameAsync(Request((ulong)i, "Mean", $"[[{i},{i + 2}]]"), Token).AsTask()));
        var answers = new Dictionary<ulong, double>();
        for (var i = 0; i < 20; i++)
        {
            var response = await module.ReadAsync(Token);
            answers.Add(response.Header.Conversation!.Value, JsonDocument.Parse(response.Payload).RootElement.GetDouble());
        }

        Assert.All(Enumerable.Range(1, 20), i => Assert.Equal(i + 1, answers[(ulong)i]));
    }

    [Fact]
    public async Task Shutdown_makes_the_module_exit_within_the_grace_period()
    {
        await using var module = StartStats();
        await module.HandshakeAsync("stats", Token);

        await module.Writer.WriteFrameAsync(new StdioFrame(new StdioFrameHeader { Kind = StdioFrameKind.Shutdown }), Token);
        using var grace = CancellationTokenSource.CreateLinkedTokenSource(Token);
        grace.CancelAfter(TestPatience.Ceiling); // nothing here kills it: it exits because it was asked to
        await module.Process.WaitForExitAsync(grace.Token);

        Assert.Equal(0, module.Process.ExitCode);
        Assert.Null(await module.Reader.ReadFrameAsync(Token)); // a clean end of its stdout, no half frame
    }

    [Fact]
    public async Task A_program_that_prints_instead_of_speaking_the_protocol_is_caught_at_its_first_bytes()
    {
        var python = PythonOrSkip();
        await using var module = ModuleProcess.Start(python, "-c", "print('Hello world')");

        var error = await Assert.ThrowsAsync<ModuleProtocolException>(async () => await module.Reader.ReadFrameAsync(Token));

        Assert.StartsWith("expected the SKEINMOD preamble, got 'Hello wor'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_module_that_never_says_hello_is_given_up_on_when_the_hello_timeout_cancels_the_read()
    {
        var python = PythonOrSkip();
        await using var module = ModuleProcess.Start(python, "-c", "import sys, time; sys.stdout.buffer.write(b'SKEINMOD\\x01'); sys.stdout.flush(); time.sleep(60)");
        await module.Writer.WritePreambleAsync(Token);
        using var helloTimeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        helloTimeout.CancelAfter(TimeSpan.FromMilliseconds(500));

        // The module sleeps for a minute and then ends its output cleanly: only the cancelled read can throw this.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await module.Reader.ReadFrameAsync(helloTimeout.Token));
    }

    private static StdioFrame Request(ulong conversation, string method, string arguments) => Request(conversation, "stats", method, arguments);

    private static StdioFrame Request(ulong conversation, string service, string method, string arguments) => new(
        new StdioFrameHeader
        {
            Kind = StdioFrameKind.Request, Conversation = conversation, Service = service, Method = method,
            ContentType = StdioProtocol.JsonContentType, TimeoutMs = 30_000,
        },
        Encoding.UTF8.GetBytes(arguments));

    private static async Task<StdioFrame> CallAsync(ModuleProcess module, ulong conversation, string method, string arguments)
    {
        await module.Writer.WriteFrameAsync(Request(conversation, method, arguments), Token);
        var response = await module.ReadAsync(Token);
        Assert.Equal(StdioFrameKind.Response, response.Kind);
        Assert.Equal(conversation, response.Header.Conversation);
        return response;
    }

    private static ModuleProcess StartStats()
    {
        var python = PythonOrSkip();
        var script = Path.Combine(ModuleProcess.RepositoryRoot(), "examples", "modules", "stats", "stats.py");
        return ModuleProcess.Start(python, script);
    }

    private static string PythonOrSkip()
    {
        var python = ModuleProcess.FindPython();
        if (python is null) Assert.Skip("python3 is not on the PATH; these tests run the Python stats module (CI installs python3)");
        return python;
    }
}
