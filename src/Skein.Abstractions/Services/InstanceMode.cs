namespace Skein;

/// <summary>How a node creates the objects that serve a contract's calls.</summary>
public enum InstanceMode
{
    /// <summary>Each proxy gets its own server object, released when the proxy is disposed (or its lease runs out).</summary>
    PerConnection,

    /// <summary>One object per hosting node, created at its first use and kept until the service stops.</summary>
    Singleton,

    /// <summary>Instances on one or more nodes share the calls; a lost node's share moves to the others.</summary>
    Pooled,
}
