using System.CommandLine;
using System.Text;
using System.Text.Json;
using Skein.Cluster;
using Skein.Cluster.Events;

namespace Skein.Cli.Commands;

/// <summary><c>skein publish SUBJECT [PAYLOAD]</c>: publish one event on the coordinator's bus.</summary>
internal static class PublishCommand
{
    public static Command Create()
    {
        var subject = new Argument<string>("SUBJECT") { Description = "The subject: tokens separated by '.', no wildcards." };
        var payload = new Argument<string>("PAYLOAD") { Description = "The payload (default: empty); '-' reads it from standard input.", DefaultValueFactory = _ => "" };
        var contentType = new Option<string?>("--content-type")
        {
            Description = "The payload's content type (default: application/json when PAYLOAD is JSON, text/plain otherwise).",
            HelpName = "TYPE",
        };
        var cluster = ClusterConnection.ClusterOption();
        var tokenFile = ClusterConnection.TokenFileOption();
        var state = CommonOptions.State();
        var command = new Command("publish", "Publish one event on the coordinator's event bus.") { subject, payload, contentType, cluster, tokenFile, state };
        command.SetAction(async (parse, ct) =>
        {
            // A command line holds at most 128 KiB per argument on Linux: larger payloads come through standard input.
            var text = parse.GetValue(payload)!;
            var bytes = text == "-" ? await ReadStandardInputAsync(ct).ConfigureAwait(false) : Encoding.UTF8.GetBytes(text);
            var stateDirectory = parse.GetValue(state)!;
            var address = ClusterConnection.ResolveAddress(parse.GetValue(cluster), stateDirectory);
            var token = ClusterConnection.ResolveToken(parse.GetValue(tokenFile), stateDirectory);
            await using var events = new ClusterEvents(address, token);
            try
            {
                await events.PublishAsync(parse.GetValue(subject)!, bytes.AsMemory(), parse.GetValue(contentType) ?? ContentTypeOf(Encoding.UTF8.GetString(bytes)), ct)
                    .ConfigureAwait(false);
            }
            catch (ArgumentException ex)
            {
                throw new SkeinException(EventLine.Problem(ex), ex);
            }
            await events.FlushAsync(ct).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task<byte[]> ReadStandardInputAsync(CancellationToken ct)
    {
        await using var input = Console.OpenStandardInput();
        using var buffer = new MemoryStream();
        await input.CopyToAsync(buffer, ct).ConfigureAwait(false);
        return buffer.ToArray();
    }

    private static string ContentTypeOf(string payload)
    {
        if (payload.Length == 0) return EventContentTypes.Text;
        try
        {
            using var _ = JsonDocument.Parse(payload);
            return EventContentTypes.Json;
        }
        catch (JsonException)
        {
            return EventContentTypes.Text;
        }
    }
}
