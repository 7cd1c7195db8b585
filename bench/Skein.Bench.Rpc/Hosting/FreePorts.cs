using System.Net;
using System.Net.Sockets;

namespace Skein.Bench.Rpc.Hosting;

/// <summary>Loopback ports free at this moment, for servers that must be told their ports instead of choosing them.</summary>
internal static class FreePorts
{
    public static int[] Take(int count)
    {
        // All listeners are open at once so that the ports differ; they are closed before the child binds them.
        var listeners = new TcpListener[count];
        try
        {
            var ports = new int[count];
            for (var i = 0; i < count; i++)
            {
                listeners[i] = new TcpListener(IPAddress.Loopback, 0);
                listeners[i].Start();
                ports[i] = ((IPEndPoint)listeners[i].LocalEndpoint).Port;
            }
            return ports;
        }
        finally
        {
            foreach (var listener in listeners) listener?.Stop();
        }
    }
}
