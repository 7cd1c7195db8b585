namespace Skein.Modules.Lifecycle;

/// <summary>What the node does when the supervisor gives up on a module (module.yaml: <c>on-failure:</c>).</summary>
public enum ModuleFailureAction
{
    /// <summary><c>withdraw</c>, the default: the module's services are withdrawn and the node keeps serving.</summary>
    Withdraw,

    /// <summary><c>fail-node</c>: the node stops itself too — for strict test clusters where a failed module must not go unnoticed.</summary>
    FailNode,
}
