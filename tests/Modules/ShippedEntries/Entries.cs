using System.Runtime.Loader;
using System.Text;
using Skein;
using Skein.Engine;

namespace ShippedEntries;

/// <summary>Replies with the request's bytes unchanged, and logs their count.</summary>
public sealed class EchoEntry : IShippedEntry
{
    public ValueTask<ReadOnlyMemory<byte>> RunAsync(ShippedContext context, ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        context.Log.WriteLine($"echo {request.Length} bytes");
        return new(request.ToArray());
    }
}

/// <summary>
/// Says where it runs: logs two lines, reports two sub-results, and replies
/// <c>node=NAME;pid=PID;context=LOAD-CONTEXT;workdir=DIR;client=yes|no;attempt=N;task=ID</c>.
/// </summary>
public sealed class WhoEntry : IShippedEntry
{
    public ValueTask<ReadOnlyMemory<byte>> RunAsync(ShippedContext context, ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        context.Log.WriteLine($"first line from {context.Identity.Node}");
        context.Log.WriteLine("second line");
        context.Reporter.Report("sub-a", Outcome.Passed);
        context.Reporter.Report("sub-b", Outcome.Warned, "careful");
        File.WriteAllText(Path.Combine(context.WorkingDirectory, "here.txt"), "written");
        var client = context.Services?.GetService(Type.GetType("Skein.Cluster.Client.SkeinClient, Skein.Cluster")!) is not null ? "yes" : "no";
        var alc = AssemblyLoadContext.GetLoadContext(context.Assembly)?.Name;
        var reply = $"node={context.Identity.Node};pid={Environment.ProcessId};context={alc};workdir={context.WorkingDirectory};client={client};" +
            $"attempt={context.Identity.Attempt};task={context.Identity.TaskId};main={context.Assembly.GetName().Name}";
        return new(Encoding.UTF8.GetBytes(reply));
    }
}

/// <summary>
/// Waits until its token fires. The request is a file path: on its first attempt it writes "NODE PID" there when it
/// starts waiting, and "cancelled" to PATH.cancelled when its token fires; on a later attempt it replies "on=NODE" at once.
/// </summary>
public sealed class WaitEntry : IShippedEntry
{
    public async ValueTask<ReadOnlyMemory<byte>> RunAsync(ShippedContext context, ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        var path = Encoding.UTF8.GetString(request.Span);
        if (context.Identity.Attempt > 1) return Encoding.UTF8.GetBytes($"on={context.Identity.Node}");
        context.Log.WriteLine("waiting");
        await using (cancellationToken.Register(() => File.WriteAllText(path + ".cancelled", "cancelled")))
        {
            // Written whole under another name, then renamed: a reader never sees half of it.
            File.WriteAllText(path + ".tmp", $"{context.Identity.Node} {Environment.ProcessId}");
            File.Move(path + ".tmp", path);
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        return ReadOnlyMemory<byte>.Empty;
    }
}

/// <summary>Throws.</summary>
public sealed class ThrowingEntry : IShippedEntry
{
    public ValueTask<ReadOnlyMemory<byte>> RunAsync(ShippedContext context, ReadOnlyMemory<byte> request, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("the entry broke on purpose");
}

/// <summary>Not an entry.</summary>
public sealed class NotAnEntry
{
}
