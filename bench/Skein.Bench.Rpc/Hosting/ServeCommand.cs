using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Skein.Bench.Orleans;
using Skein.Bench.Rpc.Grpc;

namespace Skein.Bench.Rpc.Hosting;

/// <summary>
/// The child side of <see cref="ChildServer"/>: <c>serve-grpc</c> or <c>serve-orleans SILO-PORT GATEWAY-PORT</c>.
/// Serves until stdin closes (or SIGINT/SIGTERM), after printing <see cref="ReadyLine"/> on stdout; meanwhile answers
/// <see cref="AllocationQueries"/> on stdin.
/// </summary>
internal static class ServeCommand
{
    public const string Grpc = "serve-grpc";
    public const string Orleans = "serve-orleans";
    public const string Skein = "serve-skein";
    public const string ReadyLine = "ready";

    public static bool Handles(string[] args) => args.Length > 0 && args[0] is Grpc or Orleans or Skein;

    public static async Task<int> RunAsync(string[] args)
    {
        IHost host;
        string detail;
        switch (args)
        {
            case [Grpc]:
                (host, var address) = await GrpcEchoServer.StartAsync(CancellationToken.None).ConfigureAwait(false);
                detail = address.ToString();
                break;
            case [Orleans, var silo, var gateway]:
                host = await EchoCluster.StartSiloAsync(Port(silo), Port(gateway), CancellationToken.None).ConfigureAwait(false);
                detail = "";
                break;
            case [Skein]:
                return await ServeSkeinAsync(python: false).ConfigureAwait(false);
            case [Skein, "python"]:
                return await ServeSkeinAsync(python: true).ConfigureAwait(false);
            default:
                await Console.Error.WriteLineAsync($"usage: {Grpc} | {Orleans} SILO-PORT GATEWAY-PORT | {Skein} [python]").ConfigureAwait(false);
                return 2;
        }

        try
        {
            await Console.Out.WriteLineAsync($"{ReadyLine} {detail}".TrimEnd()).ConfigureAwait(false);
            await Console.Out.FlushAsync().ConfigureAwait(false);
            // The host's console lifetime turns SIGINT/SIGTERM into ApplicationStopping; the parent closes stdin.
            var stopping = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            await Task.WhenAny(AllocationQueries.ServeUntilStdinClosesAsync(), Task.Delay(Timeout.Infinite, stopping)).ConfigureAwait(false);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await host.StopAsync(grace.Token).ConfigureAwait(false);
        }
        finally
        {
            host.Dispose();
        }
        return 0;
    }

    // Skein's coordinator and node are not a generic host of their own: stop them when stdin closes or on SIGTERM.
    private static async Task<int> ServeSkeinAsync(bool python)
    {
        using var counters = new Rpc.Skein.NodeCounters(); // before the node starts, so its meter is seen when published
        await using var server = await Rpc.Skein.SkeinEchoServer.StartAsync(python, CancellationToken.None).ConfigureAwait(false);
        await Console.Out.WriteLineAsync($"{ReadyLine} {server.Address} {server.TokenPath}").ConfigureAwait(false);
        await Console.Out.FlushAsync().ConfigureAwait(false);
        var terminated = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            terminated.TrySetResult();
        });
        await Task.WhenAny(AllocationQueries.ServeUntilStdinClosesAsync(line => line == Rpc.Skein.NodeCounters.Command ? counters.Line() : null), terminated.Task).ConfigureAwait(false);
        return 0;
    }

    private static int Port(string text) => int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
}
