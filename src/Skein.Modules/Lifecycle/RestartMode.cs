namespace Skein.Modules.Lifecycle;

/// <summary>When a module whose run ended is started again (module.yaml: <c>restart:</c>).</summary>
public enum RestartMode
{
    /// <summary><c>permanent</c>: always, however the run ended (except a stop the node asked for).</summary>
    Permanent,

    /// <summary><c>transient</c>: only after an abnormal exit — an exception or an exit code other than 0.</summary>
    Transient,

    /// <summary><c>temporary</c>: never.</summary>
    Temporary,
}
