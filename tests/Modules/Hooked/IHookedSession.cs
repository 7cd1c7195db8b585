namespace Hooked;

/// <summary>A per-connection service, so that a restart has objects reserved by proxies to make stale.</summary>
[Service("hooked-session")]
public interface IHookedSession
{
    /// <summary>"hooks N": the hooks object of the run that made this session object.</summary>
    Task<string> RunAsync(CancellationToken cancellationToken = default);
}
