namespace Skein.Engine;

/// <summary>
/// A C# action that can leave the run's process: its code is an <see cref="IShippedEntry"/> in an assembly that an
/// executor ships to the node where the task is placed (a cluster executor does; <see cref="InProcessExecutor"/>
/// calls <see cref="ExecuteAsync"/> here). The run's side encodes what the attempt needs (its dependencies' values)
/// into a request and turns the reply into the attempt's result; only bytes cross between the two.
/// </summary>
public abstract class ShippedAction : ITaskAction
{
    /// <param name="shipment">The assembly (and its folder) that holds the code, or whose code the entry runs.</param>
    /// <param name="entryAssembly">The simple name of the assembly that defines the entry type: the shipment's own, or a Skein assembly shared with the node.</param>
    /// <param name="entryType">The entry type's full name (an <see cref="IShippedEntry"/>).</param>
    protected ShippedAction(AssemblyShipment shipment, string entryAssembly, string entryType)
    {
        ArgumentNullException.ThrowIfNull(shipment);
        ArgumentException.ThrowIfNullOrEmpty(entryAssembly);
        ArgumentException.ThrowIfNullOrEmpty(entryType);
        Shipment = shipment;
        EntryAssembly = entryAssembly;
        EntryType = entryType;
    }

    public AssemblyShipment Shipment { get; }

    public string EntryAssembly { get; }

    public string EntryType { get; }

    public abstract string Fingerprint { get; }

    /// <summary>On the run's side, before the attempt is shipped: what the entry receives.</summary>
    public abstract ValueTask<ReadOnlyMemory<byte>> EncodeRequestAsync(TaskContext context, CancellationToken cancellationToken);

    /// <summary>On the run's side, once the entry has answered: the attempt's result (its value, outputs).</summary>
    public abstract ActionResult DecodeReply(TaskContext context, ReadOnlyMemory<byte> reply);

    /// <summary>
    /// What an executor that ships the attempt calls on the run's side: <see cref="EncodeRequestAsync(TaskContext, CancellationToken)"/>
    /// with the attempt's own context (its dependencies' values).
    /// </summary>
    /// <exception cref="ArgumentException">The attempt was not made by a run.</exception>
    public ValueTask<ReadOnlyMemory<byte>> EncodeRequestAsync(TaskAttempt attempt, CancellationToken cancellationToken) =>
        EncodeRequestAsync(ContextOf(attempt), cancellationToken);

    /// <summary>What an executor that shipped the attempt calls with the entry's reply: <see cref="DecodeReply(TaskContext, ReadOnlyMemory{byte})"/> with the attempt's context.</summary>
    /// <exception cref="ArgumentException">The attempt was not made by a run.</exception>
    public ActionResult DecodeReply(TaskAttempt attempt, ReadOnlyMemory<byte> reply) => DecodeReply(ContextOf(attempt), reply);

    private static TaskContext ContextOf(TaskAttempt attempt) =>
        attempt.Context ?? throw new ArgumentException("The attempt was not made by a run.", nameof(attempt));

    /// <summary>Runs the attempt in this process, without shipping anything.</summary>
    public abstract ValueTask<ActionResult> ExecuteAsync(TaskContext context, CancellationToken cancellationToken);
}
