using System.CommandLine;
using System.Text.Json;
using Skein.Cluster.Client;
using Skein.Cluster.Configuration;
using Skein.Engine;

namespace Skein.Cli.Commands;

/// <summary>
/// <c>skein barrier NAME --count N</c> and <c>skein exchange NAME --count N --context TEXT</c>: the coordinator's barrier
/// and context exchange for shell scripts, as <see cref="SkeinClient.BarrierAsync(string, int, TimeSpan, CancellationToken)"/>
/// and <see cref="SkeinClient.ExchangeAsync(string, int, string, TimeSpan, CancellationToken)"/> give them to C#. The
/// cluster, token and participant come from the options or, in an experiment of <c>skein test</c>, from its environment.
/// </summary>
internal static class BarrierCommand
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    public static Command CreateBarrier() => Create(exchange: false);

    public static Command CreateExchange() => Create(exchange: true);

    private static Command Create(bool exchange)
    {
        var name = new Argument<string>("NAME") { Description = "The barrier's name: everyone meeting there gives the same one." };
        var count = new Option<int?>("--count") { Description = "How many participants meet (this one included), 1 to 1,024.", HelpName = "N" };
        var participants = new Option<string[]>("--participants")
        {
            Description = "Instead of --count: the participants that meet, by name (this one among them); a timeout names the missing ones.",
            HelpName = "NAME",
            AllowMultipleArgumentsPerToken = true,
        };
        var timeout = new Option<string?>("--timeout") { Description = $"How long to wait for the others (default {Durations.Format(DefaultTimeout)}).", HelpName = "DURATION" };
        var participant = new Option<string?>("--participant")
        {
            Description = "The name this one arrives under (default: $SKEIN_PARTICIPANT, which skein test sets to the experiment's id, else HOST/PID).",
            HelpName = "NAME",
        };
        var context = new Option<string?>("--context") { Description = "What this participant tells the others (at most 64 KiB); '-' reads it from standard input.", HelpName = "TEXT" };
        var json = new Option<bool>("--json") { Description = "Print the contexts as one JSON object, participant to context." };
        var cluster = ClusterConnection.ClusterOption();
        var tokenFile = ClusterConnection.TokenFileOption();
        var state = CommonOptions.State();
        var command = exchange
            ? new Command("exchange", "Meet at a barrier with a context and print everyone's: PARTICIPANT<TAB>CONTEXT a line, in arrival order.")
            {
                name, count, participants, context, timeout, participant, json, cluster, tokenFile, state,
            }
            : new Command("barrier", "Wait at a barrier until everyone has arrived, then print who did, one a line, in arrival order.")
            {
                name, count, participants, timeout, participant, cluster, tokenFile, state,
            };
        command.SetAction(async (parse, _) =>
        {
            var given = parse.GetValue(count);
            var named = parse.GetValue(participants) is { Length: > 0 } list ? list : null;
            if (given is null == named is null) throw new SkeinException("give either --count N or --participants NAME…, one of the two");
            var wait = parse.GetValue(timeout) is { } text ? DurationOptions.Parse("--timeout", text) : DefaultTimeout;
            string? contextText = null;
            if (exchange)
            {
                contextText = parse.GetValue(context) ?? throw new SkeinException("'skein exchange' needs --context TEXT (or - to read it from standard input)");
                if (contextText == "-") contextText = await Console.In.ReadToEndAsync().ConfigureAwait(false);
            }
            var stateDirectory = parse.GetValue(state)!;
            var address = ClusterConnection.ResolveAddress(parse.GetValue(cluster), stateDirectory);
            var token = ClusterConnection.ResolveToken(parse.GetValue(tokenFile), stateDirectory);
            var output = parse.InvocationConfiguration.Output;
            // Ctrl+C, or the runner stopping the experiment, withdraws this participant from the barrier.
            using var shutdown = new Shutdown();
            await using var client = await SkeinClient.ConnectAsync(address, token, new SkeinClientOptions { Participant = parse.GetValue(participant) }, shutdown.Token)
                .ConfigureAwait(false);
            try
            {
                if (!exchange)
                {
                    var met = named is null
                        ? await client.BarrierAsync(parse.GetValue(name)!, given!.Value, wait, shutdown.Token).ConfigureAwait(false)
                        : await client.BarrierAsync(parse.GetValue(name)!, named, wait, shutdown.Token).ConfigureAwait(false);
                    foreach (var who in met.Participants) await output.WriteLineAsync(who).ConfigureAwait(false);
                    return ExitCodes.Success;
                }
                var contexts = named is null
                    ? await client.ExchangeAsync(parse.GetValue(name)!, given!.Value, contextText!, wait, shutdown.Token).ConfigureAwait(false)
                    : await client.ExchangeAsync(parse.GetValue(name)!, named, contextText!, wait, shutdown.Token).ConfigureAwait(false);
                if (parse.GetValue(json)) await output.WriteLineAsync(JsonSerializer.Serialize(contexts)).ConfigureAwait(false);
                else foreach (var (who, said) in contexts) await output.WriteLineAsync($"{who}\t{said.ReplaceLineEndings(" ")}").ConfigureAwait(false);
                return ExitCodes.Success;
            }
            catch (BarrierTimeoutException ex)
            {
                // Not bad input: the others did not come. The message names who did and who is missing.
                await parse.InvocationConfiguration.Error.WriteLineAsync($"skein: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.TasksFailed;
            }
            catch (OperationCanceledException) when (shutdown.Token.IsCancellationRequested)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"skein: left barrier '{parse.GetValue(name)}' before everyone arrived").ConfigureAwait(false);
                return ExitCodes.Interrupted;
            }
            catch (ArgumentException ex)
            {
                throw new SkeinException(ex.Message, ex);
            }
        });
        return command;
    }
}
