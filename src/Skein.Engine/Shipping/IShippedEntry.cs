namespace Skein.Engine;

/// <summary>
/// The code a <see cref="ShippedAction"/> runs where its task is placed. The node makes one instance per attempt
/// (a public class with a public parameterless constructor), found by name in the shipment's load context — in the
/// shipped assembly itself, or in one of Skein's own assemblies, which the load context shares with the node.
/// </summary>
public interface IShippedEntry
{
    /// <summary>Runs one attempt: <paramref name="request"/> is what <see cref="ShippedAction.EncodeRequestAsync"/>
    /// made on the run's side; the reply goes back to <see cref="ShippedAction.DecodeReply"/>.</summary>
    /// <remarks>An exception fails the attempt with its message; the token fires on the task's timeout and when the run is cancelled.</remarks>
    ValueTask<ReadOnlyMemory<byte>> RunAsync(ShippedContext context, ReadOnlyMemory<byte> request, CancellationToken cancellationToken);
}
