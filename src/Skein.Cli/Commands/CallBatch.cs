using System.Text;
using System.Text.Json;
using Skein.Cli.Reporting;
using Skein.Cluster;
using Skein.Cluster.Client;
using Skein.Engine;

namespace Skein.Cli.Commands;

/// <summary>
/// <c>skein call --stdin</c>: one request per line of standard input — <c>{"service", "method", "args", "id"}</c> — and
/// one answer per request, in order, on standard output, written as soon as the call ends, so that a script pays
/// skein's start-up once, or keeps skein as a co-process and reads each answer after writing its request. A request
/// that fails, or a line that is not a request, is answered with its error; the batch goes on.
/// </summary>
internal sealed class CallBatch(SkeinClient client, ClusterClient services, TimeSpan limit, TextWriter output, TextWriter error)
{
    /// <summary>The longest request line read; a longer one is answered as malformed and skipped, never held whole.</summary>
    internal const int MaxLineBytes = 4 * 1024 * 1024;

    private readonly Dictionary<string, IReadOnlyList<Skein.Cluster.Services.ServiceMethodDescription>?> _methods = new(StringComparer.Ordinal);
    private bool _anyFailed;
    private bool _anyMalformed;

    /// <returns>0 when every request succeeded; 1 when a call failed; 2 when a line was not a valid request.</returns>
    public async Task<int> RunAsync(Stream input, CancellationToken cancellationToken)
    {
        var lines = new BoundedLines(input, MaxLineBytes);
        while (await lines.ReadAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.TooLong)
            {
                Malformed(line.Number, $"the line is longer than {MaxLineBytes / (1024 * 1024)} MiB", null);
                continue;
            }
            if (IsBlank(line.Bytes.Span)) continue;
            await AnswerAsync(line.Number, line.Bytes, cancellationToken).ConfigureAwait(false);
        }
        return _anyMalformed ? ExitCodes.InvalidInput : _anyFailed ? ExitCodes.TasksFailed : ExitCodes.Success;
    }

    private async Task AnswerAsync(long number, ReadOnlyMemory<byte> line, CancellationToken cancellationToken)
    {
        Request request;
        try
        {
            request = Request.Parse(line);
        }
        catch (RequestException ex)
        {
            Malformed(number, ex.Message, ex.Id);
            return;
        }
        var values = new List<JsonDocument>();
        try
        {
            // The node is told the deadline, cancels the handler when it passes, and the call fails as timed out.
            var timeout = limit > TimeSpan.Zero ? limit : Timeout.InfiniteTimeSpan;
            await foreach (var value in client.CallJsonAsync(request.Service, request.Method, request.Arguments, timeout, cancellationToken).ConfigureAwait(false))
            {
                if (value.Length > 0) values.Add(JsonDocument.Parse(value));
            }
            var streaming = await IsStreamingAsync(request.Service, request.Method, cancellationToken).ConfigureAwait(false);
            Write(number, request.Id, json =>
            {
                json.WriteBoolean("ok", true);
                if (streaming)
                {
                    json.WriteStartArray("items");
                    foreach (var value in values) value.WriteTo(json);
                    json.WriteEndArray();
                }
                else
                {
                    json.WritePropertyName("result");
                    if (values.Count == 0) json.WriteNullValue();
                    else values[0].WriteTo(json);
                }
            });
        }
        catch (RemoteException ex)
        {
            _anyFailed = true;
            var message = ex.Kind == RemoteErrorKind.DeadlineExceeded && limit > TimeSpan.Zero
                ? $"{request.Service}.{request.Method} timed out after {Durations.Format(limit)} (--timeout)"
                : ex.Message;
            Write(number, request.Id, json =>
            {
                json.WriteBoolean("ok", false);
                json.WriteStartObject("error");
                json.WriteString("kind", ex.Kind.ToString());
                json.WriteString("message", ReportText.ForJson(message));
                json.WriteString("type", ReportText.ForJson(ex.RemoteType));
                json.WriteString("node", ReportText.ForJson(ex.Node));
                json.WriteString("service", ReportText.ForJson(ex.Service));
                json.WriteBoolean("retriable", ex.IsRetriable);
                json.WriteEndObject();
            });
        }
        catch (JsonException ex)
        {
            _anyFailed = true;
            Write(number, request.Id, json =>
            {
                json.WriteBoolean("ok", false);
                json.WriteStartObject("error");
                json.WriteString("kind", "BadReply");
                json.WriteString("message", ReportText.ForJson($"the answer of {request.Service}.{request.Method} is not JSON: {ex.Message}"));
                json.WriteEndObject();
            });
        }
        finally
        {
            foreach (var value in values) value.Dispose();
        }
    }

    /// <summary>Whether the method streams, from the service's description (looked up once per service); unknown counts as not.</summary>
    private async Task<bool> IsStreamingAsync(string service, string method, CancellationToken cancellationToken)
    {
        if (!_methods.TryGetValue(service, out var methods))
        {
            var listed = await services.ListServicesAsync(cancellationToken).ConfigureAwait(false);
            foreach (var entry in listed) _methods[entry.Name] = entry.Hosts.Count > 0 ? entry.Hosts[0].Methods : [];
            if (!_methods.TryGetValue(service, out methods)) _methods[service] = methods = null;
        }
        return methods?.FirstOrDefault(m => m.Name == method || m.Name + "Async" == method)?.Streaming ?? false;
    }

    private void Malformed(long number, string problem, JsonElement? id)
    {
        _anyMalformed = true;
        error.WriteLine($"skein: stdin line {number}: {problem}");
        Write(number, id, json =>
        {
            json.WriteBoolean("ok", false);
            json.WriteStartObject("error");
            json.WriteString("kind", "BadRequest");
            json.WriteString("message", ReportText.ForJson($"line {number}: {problem}"));
            json.WriteEndObject();
        });
    }

    private void Write(long number, JsonElement? id, Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("line", number);
            if (id is { } given)
            {
                json.WritePropertyName("id");
                given.WriteTo(json);
            }
            body(json);
            json.WriteEndObject();
        }
        output.WriteLine(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        // Flushed per answer: a script driving skein as a co-process reads each one before sending the next request.
        output.Flush();
    }

    private static bool IsBlank(ReadOnlySpan<byte> line)
    {
        foreach (var b in line)
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r')) return false;
        return true;
    }

    /// <summary>One request line: <c>{"service": NAME, "method": NAME, "args": [ … ] (default []), "id": ANY (echoed)}</c>.</summary>
    private sealed record Request(string Service, string Method, byte[] Arguments, JsonElement? Id)
    {
        public static Request Parse(ReadOnlyMemory<byte> line)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line, new JsonDocumentOptions { MaxDepth = 64 });
            }
            catch (JsonException ex)
            {
                throw new RequestException($"not JSON ({ex.Message})", null);
            }
            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                    throw new RequestException($"a request is a JSON object {{\"service\", \"method\", \"args\"}}, not a JSON {root.ValueKind.ToString().ToLowerInvariant()}", null);
                JsonElement? id = root.TryGetProperty("id", out var given) ? given.Clone() : null;
                foreach (var property in root.EnumerateObject())
                {
                    if (property.Name is not ("service" or "method" or "args" or "id"))
                        throw new RequestException($"unknown key '{property.Name}' (a request has service, method, args and id)", id);
                }
                var service = Text(root, "service", id);
                var method = Text(root, "method", id);
                byte[] arguments = "[]"u8.ToArray();
                if (root.TryGetProperty("args", out var args))
                {
                    if (args.ValueKind != JsonValueKind.Array)
                        throw new RequestException($"'args' must be a JSON array of the arguments, not a JSON {args.ValueKind.ToString().ToLowerInvariant()}", id);
                    arguments = Encoding.UTF8.GetBytes(args.GetRawText());
                }
                return new Request(service, method, arguments, id);
            }
        }

        private static string Text(JsonElement root, string name, JsonElement? id)
        {
            if (!root.TryGetProperty(name, out var value)) throw new RequestException($"the request has no '{name}'", id);
            if (value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: > 0 } text)
                throw new RequestException($"'{name}' must be a non-empty string", id);
            return text;
        }
    }

    private sealed class RequestException(string message, JsonElement? id) : Exception(message)
    {
        public JsonElement? Id { get; } = id;
    }
}

/// <summary>Lines of a stream as bytes, each at most a bound long: a longer line is read to its end and reported, never held whole.</summary>
internal sealed class BoundedLines(Stream input, int maxLineBytes)
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly MemoryStream _line = new();
    private int _start;
    private int _end;
    private long _number;
    private bool _eof;

    public readonly record struct Line(long Number, ReadOnlyMemory<byte> Bytes, bool TooLong);

    /// <returns>The next line (without its newline), or null at the end of the input.</returns>
    public async Task<Line?> ReadAsync(CancellationToken cancellationToken)
    {
        _line.SetLength(0);
        var tooLong = false;
        while (true)
        {
            if (_start == _end)
            {
                if (_eof) break;
                _start = 0;
                _end = await input.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
                if (_end == 0)
                {
                    _eof = true;
                    break;
                }
            }
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            var stop = newline < 0 ? _end : newline;
            if (!tooLong)
            {
                if (_line.Length + (stop - _start) > maxLineBytes)
                {
                    tooLong = true;
                    _line.SetLength(0);
                }
                else
                {
                    _line.Write(_buffer, _start, stop - _start);
                }
            }
            if (newline >= 0)
            {
                _start = newline + 1;
                return new Line(++_number, _line.ToArray(), tooLong);
            }
            _start = _end;
        }
        if (_line.Length == 0 && !tooLong) return null;
        return new Line(++_number, _line.ToArray(), tooLong);
    }
}
