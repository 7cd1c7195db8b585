namespace Skein.Modules.Process;

/// <summary>
/// Where a <see cref="ProcessModule"/> sends what answers a forwarded call: the module's results and stream items, and
/// the failures the node reports for it (its exit, a broken answer). Called on the module's reading thread: it must
/// not block.
/// </summary>
public interface IModuleReplies
{
    void Send(in ModuleReply reply);
}
