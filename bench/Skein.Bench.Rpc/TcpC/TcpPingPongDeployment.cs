using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Skein.Bench.Rpc.Load;
using Skein.Bench.Rpc.Targets;

namespace Skein.Bench.Rpc.TcpC;

/// <summary>
/// The transport's limit (<c>tcp-c</c>): <c>pingpong.c</c>'s server in a child process, echoing fixed-size messages on
/// loopback with TCP_NODELAY, and as its client, per caller, one connection from this process driven with blocking
/// <see cref="Socket.Send(ReadOnlySpan{byte})"/> and <see cref="Socket.Receive(Span{byte})"/> (the call completes
/// synchronously, so the load runner's loop adds no thread hop). At start, the C client alone measures the same
/// round trip for two seconds and the figure is printed, to show that this process's side is not what limits the row.
/// Blocking calls hold a thread-pool thread each, so the row is the transport's limit for one caller; with many
/// callers the pool's growth limits it instead.
/// </summary>
internal sealed class TcpPingPongDeployment : IEchoDeployment
{
    public const string Name = "tcp-c";

    /// <summary>The request and the reply: 32 bytes, the load runner's argument length (ASCII, one byte a character).</summary>
    private const int MessageSize = 32;

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _server;
    private readonly IPEndPoint _endpoint;

    private TcpPingPongDeployment(Process server, IPEndPoint endpoint)
    {
        _server = server;
        _endpoint = endpoint;
    }

    public static async Task<IEchoDeployment> StartAsync(CancellationToken cancellationToken)
    {
        var program = await PingPongProgram.BuildAsync(cancellationToken).ConfigureAwait(false);
        var server = Process.Start(new ProcessStartInfo(program)
        {
            ArgumentList = { "server", MessageSize.ToString(CultureInfo.InvariantCulture) },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("could not start the C ping-pong server");
        try
        {
            using var ready = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            ready.CancelAfter(TimeSpan.FromSeconds(30));
            var line = await server.StandardOutput.ReadLineAsync(ready.Token).ConfigureAwait(false);
            if (line is null || !line.StartsWith("ready ", StringComparison.Ordinal) || !IPEndPoint.TryParse(line["ready ".Length..], out var endpoint))
                throw new InvalidOperationException($"the C ping-pong server said '{line}' instead of 'ready HOST:PORT'");
            var deployment = new TcpPingPongDeployment(server, endpoint);
            await deployment.ReportCClientAsync(program, cancellationToken).ConfigureAwait(false);
            return deployment;
        }
        catch
        {
            await StopAsync(server).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The C client against the same server for 2 s (after 1 s of warm-up): the figure with no .NET on either end.</summary>
    private async Task ReportCClientAsync(string program, CancellationToken cancellationToken)
    {
        using var client = Process.Start(new ProcessStartInfo(program)
        {
            ArgumentList = { "client", _endpoint.ToString(), MessageSize.ToString(CultureInfo.InvariantCulture), "2" },
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("could not start the C ping-pong client");
        var output = await client.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        await client.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (client.ExitCode != 0) throw new InvalidOperationException($"the C ping-pong client failed with exit code {client.ExitCode}");
        Console.Error.WriteLine($"{Name}: C client and C server alone, 1 connection: {output.Trim()}");
    }

    public ValueTask<IEchoTarget> CreateTargetAsync(int caller, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Connect(_endpoint);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new(new SocketTarget(socket));
    }

    public async ValueTask DisposeAsync() => await StopAsync(_server).ConfigureAwait(false);

    private static async Task StopAsync(Process server)
    {
        try
        {
            server.StandardInput.Close();
        }
        catch (IOException)
        {
            // It already exited.
        }
        using var timeout = new CancellationTokenSource(StopTimeout);
        try
        {
            await server.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            server.Kill();
            await server.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        server.Dispose();
    }

    /// <summary>One caller's connection: a 32-byte request, the same 32 bytes back.</summary>
    private sealed class SocketTarget(Socket socket) : IEchoTarget, IAsyncDisposable
    {
        private readonly byte[] _request = new byte[MessageSize];
        private readonly byte[] _reply = new byte[MessageSize];

        public ValueTask<string> EchoAsync(string text, CancellationToken cancellationToken)
        {
            if (Encoding.ASCII.GetBytes(text, _request) != MessageSize)
                throw new ArgumentException($"the tcp-c target sends {MessageSize}-byte messages: the argument must be {MessageSize} ASCII characters", nameof(text));
            socket.Send(_request);
            var received = 0;
            while (received < MessageSize)
            {
                var got = socket.Receive(_reply.AsSpan(received));
                if (got == 0) throw new IOException("the C ping-pong server closed the connection");
                received += got;
            }
            return new(Encoding.ASCII.GetString(_reply));
        }

        public ValueTask DisposeAsync()
        {
            socket.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
