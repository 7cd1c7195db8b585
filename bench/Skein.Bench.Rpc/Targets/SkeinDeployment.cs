using Skein.Bench.Rpc.Load;

namespace Skein.Bench.Rpc.Targets;

/// <summary>
/// SKEIN ROW — pending: Skein's typed service proxy is not built yet, so this target is skipped with a message.
/// </summary>
/// <remarks>
/// To add the row once the proxy exists (see bench/README.md, "Adding the Skein row"):
/// <list type="number">
/// <item>reference src/Skein.Cluster from this project and declare the echo contract
///   (<c>[Service("echo")] interface IEcho { Task&lt;string&gt; EchoAsync(string text, CancellationToken ct = default); }</c>)
///   and its implementation here;</item>
/// <item>add a <c>serve-skein</c> case to <see cref="Hosting.ServeCommand"/> that starts a coordinator and a node
///   hosting the echo service on 127.0.0.1 port 0 and prints <c>ready ADDRESS TOKEN-PATH</c>;</item>
/// <item>in <see cref="StartAsync"/>: start that child with <see cref="Hosting.ChildServer.StartAsync"/>, connect a
///   client, and return a deployment whose <see cref="IEchoDeployment.CreateTargetAsync"/> gets a proxy with
///   <c>client.GetServiceAsync&lt;IEcho&gt;()</c> and wraps <c>proxy.EchoAsync</c> as an <see cref="IEchoTarget"/>
///   (disposable, so the proxy is released when its level ends).</item>
/// </list>
/// </remarks>
internal static class SkeinDeployment
{
    public const string Name = "skein";

    public const string PendingReason = "Skein proxy not built yet";

    public static Task<IEchoDeployment> StartAsync(CancellationToken cancellationToken) =>
        Task.FromException<IEchoDeployment>(new TargetUnavailableException(PendingReason));
}
