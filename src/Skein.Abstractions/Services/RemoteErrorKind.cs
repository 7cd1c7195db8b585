namespace Skein;

/// <summary>Why a remote call failed: the service's own code, or the framework around it.</summary>
public enum RemoteErrorKind
{
    /// <summary>The service's code threw; retrying the same call will usually fail the same way.</summary>
    Application,

    /// <summary>No live node hosts the service.</summary>
    ServiceNotFound,

    /// <summary>The service has no method of that name, or not with that many arguments.</summary>
    MethodNotFound,

    /// <summary>The arguments could not be decoded as the types the contract declares.</summary>
    BadArguments,

    /// <summary>The call's deadline passed before its reply arrived.</summary>
    DeadlineExceeded,

    /// <summary>The caller cancelled the call.</summary>
    Cancelled,

    /// <summary>The service is at its declared capacity of concurrent proxies.</summary>
    CapacityReached,

    /// <summary>The node serving the call was lost or its connection broke; another node may answer.</summary>
    NodeLost,

    /// <summary>A message was over the size limit.</summary>
    MessageTooLarge,

    /// <summary>The node could not be reached or is stopping.</summary>
    Unavailable,

    /// <summary>A fault inside Skein itself.</summary>
    Internal,
}
