namespace Skein.Cluster.Apps;

/// <summary>
/// Starting or stopping apps was refused or failed on the cluster (a module that did not load, an app another running
/// app still needs, a node that is not alive), as opposed to apps that cannot be planned (<see cref="AppPlanException"/>).
/// </summary>
public class AppFailedException : SkeinException
{
    public AppFailedException(string message) : base(message) { }
    public AppFailedException(string message, Exception inner) : base(message, inner) { }
}
