using Skein.Modules.Stdio;

namespace Skein.Cluster.Tests.Modules;

/// <summary>Whatever a broken or chatty module writes is refused at once, with a message that says what was wrong.</summary>
public sealed class StdioMalformedFrameTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static readonly byte[] LogHeader = "{\"kind\":\"log\",\"message\":\"hi!\"}"u8.ToArray();

    [Fact]
    public async Task A_stray_print_instead_of_the_preamble_is_caught_at_once()
    {
        var error = await ReadAsync("Hello world\n"u8.ToArray());

        Assert.StartsWith("expected the SKEINMOD preamble, got 'Hello wor'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_that_ends_inside_the_preamble_says_so()
    {
        var error = await ReadAsync("SKEIN"u8.ToArray());

        Assert.Contains("ended after 5 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_protocol_version_is_refused_naming_both_versions()
    {
        var error = await ReadAsync(StdioBytes.Preamble(version: 2));

        Assert.Contains("version 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("version 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_header_over_64_KiB_is_refused_before_it_is_read()
    {
        var error = await ReadAsync([.. StdioBytes.Preamble(), .. StdioBytes.Length(70000)]);

        Assert.Equal("frame header of 70000 bytes is over the 64 KiB limit", error.Message);
    }

    [Fact]
    public async Task A_huge_header_length_allocates_nothing_and_is_refused()
    {
        var error = await ReadAsync([.. StdioBytes.Preamble(), .. StdioBytes.Length(uint.MaxValue)]);

        Assert.Equal($"frame header of {uint.MaxValue} bytes is over the 64 KiB limit", error.Message);
    }

    [Fact]
    public async Task A_payload_over_16_MiB_and_64_bytes_is_refused_before_it_is_read()
    {
        var error = await ReadAsync([.. StdioBytes.Preamble(), .. StdioBytes.Length(LogHeader.Length), .. LogHeader, .. StdioBytes.Length(StdioProtocol.MaxPayloadBytes + 1)]);

        Assert.Contains($"payload of {StdioProtocol.MaxPayloadBytes + 1} bytes is over the limit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_header_that_is_not_JSON_is_refused()
    {
        var error = await ReadAsync([.. StdioBytes.Preamble(), .. StdioBytes.Frame("kind=log", [])]);

        Assert.StartsWith("header is not JSON: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_header_that_is_not_UTF8_is_refused()
    {
        var error = await ReadAsync([.. StdioBytes.Preamble(), .. StdioBytes.Frame([(byte)'{', (byte)'"', 0xff, 0xfe, (byte)'"', (byte)':', (byte)'1', (byte)'}'], [])]);

        Assert.StartsWith("header is not JSON: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_JSON_header_that_is_not_an_object_is_refused()
    {
        var error = await ReadAsync([.. StdioBytes.Preamble(), .. StdioBytes.Frame("[1,2]", [])]);

        Assert.StartsWith("header is not a JSON object", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_kind_is_named()
    {
        var error = await ReadAsync([.. StdioBytes.Preamble(), .. StdioBytes.Frame("""{"kind":"x"}""", [])]);

        Assert.Equal("unknown frame kind 'x'", error.Message);
    }

    [Fact]
    public async Task A_header_without_a_kind_is_refused()
    {
        var error = await ReadAsync([.. StdioBytes.Preamble(), .. StdioBytes.Frame("""{"conversation":1}""", [])]);

        Assert.Contains("kind", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_response_without_its_conversation_is_refused_by_name()
    {
        var error = await ReadAsync([.. StdioBytes.Preamble(), .. StdioBytes.Frame("""{"kind":"response","status":"ok"}""", [])]);

        Assert.Equal("a response frame needs conversation", error.Message);
    }

    [Fact]
    public async Task A_field_of_the_wrong_type_is_refused()
    {
        var error = await ReadAsync([.. StdioBytes.Preamble(), .. StdioBytes.Frame("""{"kind":"cancel","conversation":"seven"}""", [])]);

        Assert.StartsWith("header is not a stdio frame header: ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2, "the header length")]
    [InlineData(10, "the header")]
    [InlineData(4 + 30 + 2, "the payload length")]
    [InlineData(4 + 30 + 4 + 3, "the payload")]
    public async Task A_frame_cut_short_says_where(int keep, string where)
    {
        var frame = StdioBytes.Frame(LogHeader, "payload"u8.ToArray());
        Assert.Equal(30, LogHeader.Length);

        var error = await ReadAsync([.. StdioBytes.Preamble(), .. frame[..keep]]);

        Assert.Equal($"the stream ended in the middle of a frame, in {where}", error.Message);
    }

    [Fact]
    public async Task A_hello_whose_service_has_no_methods_is_refused_by_name()
    {
        var error = await ReadAsync([.. StdioBytes.Preamble(), .. StdioBytes.Frame("""{"kind":"hello","services":[{"name":"stats","mode":"singleton"}]}""", [])]);

        Assert.Equal("service stats in the hello frame has no methods", error.Message);
    }

    [Fact]
    public async Task After_a_malformed_frame_the_reader_reads_no_further()
    {
        var bytes = StdioBytes.Preamble().Concat(StdioBytes.Frame("""{"kind":"x"}""", [])).Concat(StdioBytes.Frame(LogHeader, [])).ToArray();
        var reader = new StdioFrameReader(new MemoryStream(bytes));
        await Assert.ThrowsAsync<ModuleProtocolException>(async () => await reader.ReadFrameAsync(Token));

        var error = await Assert.ThrowsAsync<ModuleProtocolException>(async () => await reader.ReadFrameAsync(Token));

        Assert.Contains("cannot be read further", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_error_kind_this_side_does_not_know_becomes_internal_rather_than_losing_the_error()
    {
        var bytes = StdioBytes.Preamble().Concat(StdioBytes.Frame(
            """{"kind":"response","conversation":1,"status":"error","error":{"kind":"out_of_coffee","type":"E","message":"m"}}""", [])).ToArray();

        var frame = await new StdioFrameReader(new MemoryStream(bytes)).ReadFrameAsync(Token);

        Assert.Equal(new StdioError(RemoteErrorKind.Internal, "E", "m"), frame!.Header.Error);
    }

    [Fact]
    public async Task The_writer_refuses_an_oversized_payload_and_writes_nothing()
    {
        var stream = new MemoryStream();
        var writer = new StdioFrameWriter(stream);

        var error = await Assert.ThrowsAsync<ModuleProtocolException>(async () => await writer.WriteFrameAsync(
            new StdioFrame(new StdioFrameHeader { Kind = StdioFrameKind.Event, Subject = "s" }, new byte[StdioProtocol.MaxPayloadBytes + 1]), Token));

        Assert.Contains("over the limit", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, stream.Length);
    }

    [Fact]
    public async Task The_writer_refuses_an_oversized_header()
    {
        var writer = new StdioFrameWriter(new MemoryStream());

        var error = await Assert.ThrowsAsync<ModuleProtocolException>(async () => await writer.WriteFrameAsync(
            new StdioFrame(new StdioFrameHeader { Kind = StdioFrameKind.Log, Message = new string('x', 70_000) }), Token));

        Assert.Contains("over the 64 KiB limit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_writer_refuses_a_frame_missing_what_its_kind_needs()
    {
        var writer = new StdioFrameWriter(new MemoryStream());

        var error = await Assert.ThrowsAsync<ModuleProtocolException>(async () => await writer.WriteFrameAsync(
            new StdioFrame(new StdioFrameHeader { Kind = StdioFrameKind.Request, Service = "stats", Method = "Mean" }), Token));

        Assert.Equal("a request frame needs conversation", error.Message);
    }

    private static async Task<ModuleProtocolException> ReadAsync(byte[] bytes)
    {
        var reader = new StdioFrameReader(new MemoryStream(bytes));
        return await Assert.ThrowsAsync<ModuleProtocolException>(async () =>
        {
            while (await reader.ReadFrameAsync(Token) is not null) { }
        });
    }
}
