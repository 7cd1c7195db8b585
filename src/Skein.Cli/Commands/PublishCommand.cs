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
        var payload = new Argument<string>("PAYLOAD") { Description = "The payload (default: empty).", DefaultValueFactory = _ => "" };
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
            var text = parse.GetValue(payload)!;
            var stateDirectory = parse.GetValue(state)!;
            var address = ClusterConnection.ResolveAddress(parse.GetValue(cluster), stateDirectory);
            var token = ClusterConnection.ResolveToken(parse.GetValue(tokenFile), stateDirectory);
            await using var events = new ClusterEvents(address, token);
            try
            {
                await events.PublishAsync(parse.GetValue(subject)!, Encoding.UTF8.GetBytes(text).AsMemory(), parse.GetValue(contentType) ?? ContentTypeOf(text), ct)
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
