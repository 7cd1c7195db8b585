using System.CommandLine;
using System.Text;
using System.Text.Json;
using Skein.Cluster;
using Skein.Engine;
using Skein.Cluster.Addressing;
using Skein.Cluster.Client;
using Skein.Cluster.Configuration;

namespace Skein.Cli.Commands;

/// <summary>
/// <c>skein call SERVICE METHOD [JSON-ARGS]</c>: calls a service method with JSON arguments and prints the result as
/// JSON — one line, or one line per item of a streaming method. A remote failure prints its type, node and service.
/// </summary>
internal static class CallCommand
{
    public static Command Create()
    {
        var service = new Argument<string?>("SERVICE") { Description = "The service, as 'skein services' lists it.", Arity = ArgumentArity.ZeroOrOne };
        var method = new Argument<string?>("METHOD") { Description = "The method, e.g. Echo (the C# name without Async also works with it).", Arity = ArgumentArity.ZeroOrOne };
        var stdin = new Option<bool>("--stdin")
        {
            Description = "Batch: read one request per line of standard input, {\"service\": S, \"method\": M, \"args\": [...], \"id\": any}, " +
                          "and print one JSON answer per request, in order (--timeout applies to each call).",
        };
        var arguments = new Argument<string?>("JSON-ARGS") { Description = "The arguments as one JSON array, e.g. '[\"hi\"]' (default: []); '-' reads them from standard input.", Arity = ArgumentArity.ZeroOrOne };
        var timeout = new Option<string>("--timeout") { Description = "Give up after this long (e.g. 500ms, 30s, 2m; 0 waits for ever).", HelpName = "DURATION", DefaultValueFactory = _ => "30s" };
        var cluster = ClusterConnection.ClusterOption();
        var tokenFile = ClusterConnection.TokenFileOption();
        var state = CommonOptions.State();
        var command = new Command("call", "Call a service method with JSON arguments and print the result as JSON.") { service, method, arguments, stdin, timeout, cluster, tokenFile, state };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var limit = DurationOptions.Parse("--timeout", parse.GetValue(timeout)!, zeroAllowed: true);
            var batch = parse.GetValue(stdin);
            if (batch && parse.GetValue(service) is not null)
                throw new SkeinException("--stdin reads each request's service, method and arguments from standard input: give no SERVICE, METHOD or JSON-ARGS");
            if (!batch && (parse.GetValue(service) is null || parse.GetValue(method) is null))
                throw new SkeinException("skein call needs SERVICE and METHOD (or --stdin for one request per line of standard input)");
            var json = batch ? [] : Arguments(parse.GetValue(arguments));
            var stateDirectory = parse.GetValue(state)!;
            var address = ClusterConnection.ResolveAddress(parse.GetValue(cluster), stateDirectory);
            var token = ClusterConnection.ResolveToken(parse.GetValue(tokenFile), stateDirectory);
            if (batch) return await RunBatchAsync(address, token, limit, output, error, ct).ConfigureAwait(false);
            var started = TimeProvider.System.GetTimestamp();
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            if (limit > TimeSpan.Zero) deadline.CancelAfter(limit);
            var serviceName = parse.GetValue(service)!;
            var methodName = parse.GetValue(method)!;
            try
            {
                await using var client = await ConnectAsync(address, token, limit, deadline, ct).ConfigureAwait(false);
                // The node is told what is left of the deadline, cancels the handler when it passes, and the call fails as timed out.
                var left = limit > TimeSpan.Zero ? Remaining(limit, TimeProvider.System.GetElapsedTime(started)) : Timeout.InfiniteTimeSpan;
                await foreach (var value in client.CallJsonAsync(serviceName, methodName, json, left, ct).ConfigureAwait(false))
                {
                    if (value.Length > 0) output.WriteLine(Encoding.UTF8.GetString(value.Span));
                    output.Flush();
                }
                return ExitCodes.Success;
            }
            catch (RemoteException ex) when (ex.Kind == RemoteErrorKind.DeadlineExceeded && limit > TimeSpan.Zero)
            {
                error.WriteLine($"skein: {serviceName}.{methodName} timed out after {Durations.Format(limit)} (--timeout){(ex.Node.Length > 0 ? $" on node {ex.Node}" : "")}");
                return ExitCodes.TasksFailed;
            }
            catch (RemoteException ex)
            {
                PrintRemote(ex, error);
                return ExitCodes.TasksFailed;
            }
        });
        return command;
    }

    /// <summary>Connects once (within --timeout, as a single call does), then answers every request line of standard input.</summary>
    private static async Task<int> RunBatchAsync(Uri address, string token, TimeSpan limit, TextWriter output, TextWriter error, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (limit > TimeSpan.Zero) deadline.CancelAfter(limit);
        await using var client = await ConnectAsync(address, token, limit, deadline, ct).ConfigureAwait(false);
        using var services = new ClusterClient(address, token);
        await using var input = Console.OpenStandardInput();
        return await new CallBatch(client, services, limit, output, error).RunAsync(input, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Connects within the user's --timeout (the generous default when it is 0): a busy coordinator gets as long as
    /// the call itself would, and one that does not answer in that time is unreachable, not bad input.
    /// </summary>
    internal static async Task<SkeinClient> ConnectAsync(Uri address, string token, TimeSpan limit, CancellationTokenSource deadline, CancellationToken interrupted)
    {
        var options = ConnectOptions(limit);
        try
        {
            return await SkeinClient.ConnectAsync(address, token, options, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !interrupted.IsCancellationRequested)
        {
            throw new ClusterUnreachableException(address, $"no answer within --timeout {Durations.Format(limit)}");
        }
    }

    /// <summary>What is left of <paramref name="limit"/> after <paramref name="elapsed"/>; never less than a millisecond.</summary>
    internal static TimeSpan Remaining(TimeSpan limit, TimeSpan elapsed) =>
        limit - elapsed is var left && left > TimeSpan.FromMilliseconds(1) ? left : TimeSpan.FromMilliseconds(1);

    /// <summary>The client options of a call given <c>--timeout</c> <paramref name="limit"/> (zero: wait for ever).</summary>
    internal static SkeinClientOptions ConnectOptions(TimeSpan limit)
    {
        var options = new SkeinClientOptions();
        if (limit > TimeSpan.Zero) options.ConnectTimeout = limit;
        return options;
    }

    private static byte[] Arguments(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return "[]"u8.ToArray();
        // A command line holds at most 128 KiB per argument on Linux: larger arguments come through standard input.
        var bytes = text == "-" ? ReadStandardInput() : Encoding.UTF8.GetBytes(text);
        try
        {
            using var document = JsonDocument.Parse(bytes);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
                throw new SkeinException($"JSON-ARGS must be a JSON array of the arguments, e.g. '[\"hi\"]', not a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}");
        }
        catch (JsonException ex)
        {
            throw new SkeinException($"JSON-ARGS is not valid JSON ({ex.Message}); give the arguments as one array, e.g. '[\"hi\"]'");
        }
        return bytes;
    }

    private static byte[] ReadStandardInput()
    {
        using var input = Console.OpenStandardInput();
        using var buffer = new MemoryStream();
        input.CopyTo(buffer);
        return buffer.ToArray();
    }

    private static void PrintRemote(RemoteException ex, TextWriter error)
    {
        error.WriteLine($"skein: {ex.Message}");
        var where = new List<string>();
        if (ex.Service.Length > 0) where.Add($"service {ex.Service}");
        if (ex.Node.Length > 0) where.Add($"node {ex.Node}");
        where.Add(ex.Kind == RemoteErrorKind.Application ? $"thrown as {ex.RemoteType}" : $"kind {ex.Kind}{(ex.IsRetriable ? ", worth retrying" : "")}");
        error.WriteLine($"  ({string.Join(", ", where)})");
        for (var inner = ex.InnerException as RemoteException; inner is not null; inner = inner.InnerException as RemoteException)
            error.WriteLine($"  caused by {inner.RemoteType}: {inner.Message}");
    }
}
