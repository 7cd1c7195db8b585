using System.Reflection;
using System.Text;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Skein.Cluster.Client;
using Skein.Cluster.Protocol.Tasks;
using Skein.Engine;

namespace Skein.Cluster.Execution;

// C# code on a node: the attempt's shipment is fetched (once) and loaded (while used), its entry made and called with
// the request; what it logs and reports streams back like a command's output, and its reply goes back with Finished.
internal sealed partial class NodeTaskRunner
{
    /// <summary>The node's shipments; null on a runner made without them (then shipped attempts error).</summary>
    internal NodeShipments? Shipments { get; init; }

    /// <summary>The node's own client once it joined: what shipped code finds in <see cref="ShippedContext.Services"/>.</summary>
    internal Func<SkeinClient?>? Client { get; set; }

    private async Task<(ActionResult Result, ByteString Reply)> RunShippedAsync(StartAttempt start, ShippedEntry shipped, string workdir, IAttemptOutput reporter,
        CancellationToken stop)
    {
        var cannot = $"cannot run {shipped.EntryType} ({shipped.EntryAssembly}) on node {NodeName}";
        if (Shipments is null) return (ActionResult.Errored($"{cannot}: the node was started without a place for shipments"), ByteString.Empty);
        NodeShipments.Lease lease;
        IShippedEntry entry;
        try
        {
            var folder = await Shipments.FolderAsync(shipped.Shipment, shipped.Store, stop).ConfigureAwait(false);
            lease = Shipments.Load(shipped.Shipment, folder, shipped.MainAssembly);
        }
        catch (ShipmentException ex)
        {
            return (ActionResult.Errored($"{cannot}: {ex.Message}"), ByteString.Empty);
        }
        try
        {
            entry = MakeEntry(lease, shipped);
        }
        catch (ShipmentException ex)
        {
            lease.Dispose();
            return (ActionResult.Errored($"{cannot}: {ex.Message}"), ByteString.Empty);
        }

        var context = new ShippedContext(lease.Main, workdir, new OutputWriter(reporter), reporter, new ShippedAttemptIdentity(start.RunId, start.Task, start.Attempt, NodeName),
            Client is { } client ? new ShippedServices(client) : null);
        // Off the call's thread: an entry that blocks must not hold it, or a stop could never answer.
        var running = Task.Run(async () => await entry.RunAsync(context, shipped.Request.Memory, stop).ConfigureAwait(false), CancellationToken.None);
        // The load context stays while the entry's code runs, also past an attempt given up on.
        _ = running.ContinueWith(static (done, held) =>
        {
            _ = done.Exception;
            ((IDisposable)held!).Dispose();
        }, lease, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        ReadOnlyMemory<byte> reply;
        try
        {
            reply = await running.WaitAsync(stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Its token fired: the entry has its grace to end, then the attempt is given up without it.
            if (!running.IsCompleted)
            {
                try
                {
                    await running.WaitAsync(KillGraceOf(start), TimeProvider.System).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    LogEntryGivenUp(NodeName, shipped.EntryType, start.Task, start.Attempt, KillGraceOf(start));
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // It ended, as stopped code does.
                }
            }
            throw new OperationCanceledException(stop);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return (ActionResult.Failed($"{shipped.EntryType} ({shipped.EntryAssembly}) on node {NodeName} threw {ex.GetType().Name}: {ex.Message}"), ByteString.Empty);
        }
        if (reply.Length > ShipmentLimits.MaxPayloadBytes)
            return (ActionResult.Errored($"{shipped.EntryType} ({shipped.EntryAssembly}) on node {NodeName} replied {reply.Length} bytes, over the limit of {ShipmentLimits.MaxPayloadBytes / (1024 * 1024)} MiB"),
                ByteString.Empty);
        return (ActionResult.Passed(), ByteString.CopyFrom(reply.Span));
    }

    /// <summary>A new instance of the entry type, found by its assembly's name in the shipment's load context.</summary>
    private static IShippedEntry MakeEntry(NodeShipments.Lease lease, ShippedEntry shipped)
    {
        Assembly assembly;
        if (string.Equals(shipped.EntryAssembly, lease.Main.GetName().Name, StringComparison.OrdinalIgnoreCase))
        {
            assembly = lease.Main;
        }
        else
        {
            try
            {
                assembly = lease.Context.LoadFromAssemblyName(new AssemblyName(shipped.EntryAssembly));
            }
            catch (Exception ex) when (ex is FileNotFoundException or FileLoadException or BadImageFormatException or ArgumentException)
            {
                throw new ShipmentException($"the assembly {shipped.EntryAssembly} is neither in shipment {NodeShipments.Short(shipped.Shipment)} nor one of Skein's own: {ex.Message}", ex);
            }
        }
        Type? type;
        try
        {
            type = assembly.GetType(shipped.EntryType, throwOnError: false);
        }
        catch (Exception ex) when (ex is ArgumentException or FileNotFoundException or FileLoadException or BadImageFormatException or TypeLoadException)
        {
            throw new ShipmentException($"cannot read the type {shipped.EntryType} of {shipped.EntryAssembly}: {ex.Message}", ex);
        }
        if (type is null) throw new ShipmentException($"the assembly {shipped.EntryAssembly} has no type {shipped.EntryType}");
        if (!typeof(IShippedEntry).IsAssignableFrom(type)) throw new ShipmentException($"{shipped.EntryType} in {shipped.EntryAssembly} does not implement IShippedEntry");
        if (type.IsAbstract || type.GetConstructor(Type.EmptyTypes) is null)
            throw new ShipmentException($"{shipped.EntryType} in {shipped.EntryAssembly} is not a class with a public parameterless constructor");
        try
        {
            return (IShippedEntry)Activator.CreateInstance(type)!;
        }
        catch (TargetInvocationException ex)
        {
            throw new ShipmentException($"the constructor of {shipped.EntryType} threw {ex.InnerException?.GetType().Name}: {ex.InnerException?.Message}", ex);
        }
    }

    /// <summary>The attempt's log as shipped code writes it: streamed back with the attempt's output.</summary>
    private sealed class OutputWriter(IAttemptOutput output) : TextWriter
    {
        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value) => output.Write(value.ToString());

        public override void Write(string? value)
        {
            if (!string.IsNullOrEmpty(value)) output.Write(value);
        }

        public override void Write(char[] buffer, int index, int count)
        {
            if (count > 0) output.Write(new string(buffer, index, count));
        }

        public override void WriteLine(string? value) => output.Write(value + NewLine);
    }

    /// <summary>What shipped code finds in <see cref="ShippedContext.Services"/> on a node: the node's <see cref="SkeinClient"/>.</summary>
    private sealed class ShippedServices(Func<SkeinClient?> client) : IServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType == typeof(SkeinClient) ? client() : null;
    }

    [LoggerMessage(EventId = 1404, Level = LogLevel.Warning,
        Message = "node {Node}: shipped entry {Entry} of task {Task} attempt {Attempt} did not end within {Grace} of being stopped; the attempt was given up while its code may still run")]
    private partial void LogEntryGivenUp(string node, string entry, string task, int attempt, TimeSpan grace);
}
