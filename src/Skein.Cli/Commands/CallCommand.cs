using System.CommandLine;
using System.Text;
using System.Text.Json;
using Skein.Cluster;
using Skein.Engine;

namespace Skein.Cli.Commands;

/// <summary>
/// <c>skein call SERVICE METHOD [JSON-ARGS]</c>: calls a service method with JSON arguments and prints the result as
/// JSON — one line, or one line per item of a streaming method. A remote failure prints its type, node and service.
/// </summary>
internal static class CallCommand
{
    public static Command Create()
    {
        var service = new Argument<string>("SERVICE") { Description = "The service, as 'skein services' lists it." };
        var method = new Argument<string>("METHOD") { Description = "The method, e.g. Echo (the C# name without Async also works with it)." };
        var arguments = new Argument<string?>("JSON-ARGS") { Description = "The arguments as one JSON array, e.g. '[\"hi\"]' (default: []); '-' reads them from standard input.", Arity = ArgumentArity.ZeroOrOne };
        var timeout = new Option<string>("--timeout") { Description = "Give up after this long (e.g. 500ms, 30s, 2m; 0 waits for ever).", HelpName = "DURATION", DefaultValueFactory = _ => "30s" };
        var cluster = ClusterConnection.ClusterOption();
        var tokenFile = ClusterConnection.TokenFileOption();
        var state = CommonOptions.State();
        var command = new Command("call", "Call a service method with JSON arguments and print the result as JSON.") { service, method, arguments, timeout, cluster, tokenFile, state };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var json = Arguments(parse.GetValue(arguments));
            var limit = ParseTimeout(parse.GetValue(timeout)!);
            var stateDirectory = parse.GetValue(state)!;
            var address = ClusterConnection.ResolveAddress(parse.GetValue(cluster), stateDirectory);
            var token = ClusterConnection.ResolveToken(parse.GetValue(tokenFile), stateDirectory);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            if (limit > TimeSpan.Zero) deadline.CancelAfter(limit);
            var serviceName = parse.GetValue(service)!;
            var methodName = parse.GetValue(method)!;
            try
            {
                await using var client = await SkeinClient.ConnectAsync(address, token, cancellationToken: deadline.Token).ConfigureAwait(false);
                await foreach (var value in client.CallJsonAsync(serviceName, methodName, json, deadline.Token).ConfigureAwait(false))
                {
                    if (value.Length > 0) output.WriteLine(Encoding.UTF8.GetString(value.Span));
                    output.Flush();
                }
                return ExitCodes.Success;
            }
            catch (RemoteException ex)
            {
                PrintRemote(ex, error);
                return ExitCodes.TasksFailed;
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                error.WriteLine($"error: {serviceName}.{methodName} did not answer within {Durations.Format(limit)}");
                return ExitCodes.TasksFailed;
            }
        });
        return command;
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

    private static TimeSpan ParseTimeout(string text)
    {
        if (text.Trim() == "0") return TimeSpan.Zero;
        return Durations.TryParse(text, out var value) && value >= TimeSpan.Zero
            ? value
            : throw new SkeinException($"--timeout: '{text}' is not a duration (e.g. 500ms, 30s, 2m)");
    }

    private static void PrintRemote(RemoteException ex, TextWriter error)
    {
        error.WriteLine($"error: {ex.Message}");
        var where = new List<string>();
        if (ex.Service.Length > 0) where.Add($"service {ex.Service}");
        if (ex.Node.Length > 0) where.Add($"node {ex.Node}");
        where.Add(ex.Kind == RemoteErrorKind.Application ? $"thrown as {ex.RemoteType}" : $"kind {ex.Kind}{(ex.IsRetriable ? ", worth retrying" : "")}");
        error.WriteLine($"  ({string.Join(", ", where)})");
        for (var inner = ex.InnerException as RemoteException; inner is not null; inner = inner.InnerException as RemoteException)
            error.WriteLine($"  caused by {inner.RemoteType}: {inner.Message}");
    }
}
