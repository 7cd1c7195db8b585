namespace Skein.Modules.Lifecycle;

/// <summary>The module.yaml spelling of <see cref="ModuleFailureAction"/>.</summary>
public static class ModuleFailureActions
{
    public static string ToText(this ModuleFailureAction action) => action == ModuleFailureAction.FailNode ? "fail-node" : "withdraw";

    /// <summary>Reads <c>withdraw</c> or <c>fail-node</c>, or throws a <see cref="FormatException"/> naming the bad value.</summary>
    public static ModuleFailureAction Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Trim().ToLowerInvariant() switch
        {
            "withdraw" => ModuleFailureAction.Withdraw,
            "fail-node" => ModuleFailureAction.FailNode,
            _ => throw new FormatException($"on-failure: '{text}' is not withdraw or fail-node"),
        };
    }
}
