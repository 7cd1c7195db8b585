using System.CommandLine;
using System.Globalization;
using Skein.Cluster;
using Skein.Cluster.Events;
using Skein.Cluster.Addressing;

namespace Skein.Cli.Commands;

/// <summary><c>skein events [PATTERN] [--follow]</c>: the coordinator's recent events, and with --follow the live ones too.</summary>
internal static class EventsCommand
{
    public static Command Create()
    {
        var pattern = new Argument<string>("PATTERN")
        {
            Description = "Subjects to show: tokens separated by '.', '*' for any one token, '>' (last) for the rest.",
            DefaultValueFactory = _ => ">",
        };
        var follow = new Option<bool>("--follow", "-f") { Description = "After the recent events, keep printing new ones until Ctrl+C." };
        var cluster = ClusterConnection.ClusterOption();
        var tokenFile = ClusterConnection.TokenFileOption();
        var state = CommonOptions.State();
        var command = new Command("events", "Print the coordinator's recent events matching PATTERN (default '>': all); --follow keeps streaming.")
        {
            pattern, follow, cluster, tokenFile, state,
        };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var subjects = parse.GetValue(pattern)!;
            try
            {
                SubjectPattern.Parse(subjects);
            }
            catch (ArgumentException ex)
            {
                throw new SkeinException(EventLine.Problem(ex), ex);
            }
            var stateDirectory = parse.GetValue(state)!;
            var address = ClusterConnection.ResolveAddress(parse.GetValue(cluster), stateDirectory);
            var token = ClusterConnection.ResolveToken(parse.GetValue(tokenFile), stateDirectory);
            await using var events = new ClusterEvents(address, token);

            if (!parse.GetValue(follow))
            {
                foreach (var evt in await events.RecentAsync(subjects, ct).ConfigureAwait(false)) output.WriteLine(EventLine.Format(evt));
                return ExitCodes.Success;
            }

            using var shutdown = new Shutdown();
            var options = new ClusterSubscribeOptions
            {
                ReplayRecent = true,
                Subscribed = () =>
                {
                    error.WriteLine($"following events matching '{subjects}' at {ClusterAddress.Format(address)}; stop with Ctrl+C");
                    error.Flush();
                },
            };
            long dropped = 0;
            try
            {
                await foreach (var evt in events.SubscribeAsync(subjects, options, shutdown.Token).ConfigureAwait(false))
                {
                    if (evt.Dropped > dropped)
                    {
                        // Said on stderr so the event lines stay machine-readable.
                        error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"skein: {evt.Dropped - dropped} events dropped: this reader fell behind"));
                        dropped = evt.Dropped;
                    }
                    output.WriteLine(EventLine.Format(evt));
                    output.Flush();
                }
            }
            catch (OperationCanceledException) when (shutdown.Token.IsCancellationRequested)
            {
                // Ctrl+C or SIGTERM: the way to stop following.
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
