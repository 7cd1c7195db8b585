using System.Security.Cryptography;
using Skein.Engine;

namespace Skein.Cluster.Tests.Execution;

/// <summary>
/// A <see cref="ShippedAction"/> for the tests: ships a folder, sends fixed request bytes to an entry of
/// tests/Modules/ShippedEntries (or another assembly), and keeps the reply's bytes as the task's value.
/// </summary>
internal sealed class TestShippedAction(AssemblyShipment shipment, string entryType, byte[] request, string entryAssembly = "ShippedEntries")
    : ShippedAction(shipment, entryAssembly, entryType)
{
    public override string Fingerprint => $"{EntryAssembly} {EntryType} {Convert.ToHexStringLower(SHA256.HashData(request))}";

    public override ValueTask<ReadOnlyMemory<byte>> EncodeRequestAsync(TaskContext context, CancellationToken cancellationToken) => new(request);

    public override ActionResult DecodeReply(TaskContext context, ReadOnlyMemory<byte> reply) => ActionResult.Passed(reply.ToArray());

    public override ValueTask<ActionResult> ExecuteAsync(TaskContext context, CancellationToken cancellationToken) =>
        new(ActionResult.Errored("these tests run shipped code on nodes only"));
}
