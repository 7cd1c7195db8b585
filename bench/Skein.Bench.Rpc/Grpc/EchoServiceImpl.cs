using Grpc.Core;

namespace Skein.Bench.Rpc.Grpc;

/// <summary>Returns its argument; nothing else, so the baseline measures the call and not the handler.</summary>
internal sealed class EchoServiceImpl : EchoService.EchoServiceBase
{
    public override Task<EchoReply> Echo(EchoRequest request, ServerCallContext context) =>
        Task.FromResult(new EchoReply { Text = request.Text });
}
