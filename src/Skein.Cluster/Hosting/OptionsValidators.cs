using Microsoft.Extensions.Options;
using Skein.Cluster.Modules.Lifecycle;

namespace Skein.Cluster.Hosting;

/// <summary>
/// Checks options once, when the host starts (<c>ValidateOnStart</c>), with the options' own rules: the failure is
/// the message those rules give (e.g. "cores must be at least 1, not 0"), so a host and the CLI say the same thing.
/// </summary>
internal abstract class SkeinOptionsValidator<TOptions> : IValidateOptions<TOptions> where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        try
        {
            Check(options);
            return ValidateOptionsResult.Success;
        }
        catch (SkeinException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }

    protected abstract void Check(TOptions options);
}

internal sealed class CoordinatorOptionsValidator : SkeinOptionsValidator<CoordinatorOptions>
{
    protected override void Check(CoordinatorOptions options) => options.Validate();
}

internal sealed class SkeinClientOptionsValidator : SkeinOptionsValidator<SkeinClientOptions>
{
    protected override void Check(SkeinClientOptions options) => options.Validate();
}

internal sealed class NodeOptionsValidator : SkeinOptionsValidator<NodeOptions>
{
    protected override void Check(NodeOptions options)
    {
        options.Validate();
        _ = ListenAddress.Parse(options.Listen);
        _ = Supervision(options);
    }

    /// <summary>The module supervision the options ask for; null keeps the loaders' defaults. A bad value is refused naming it.</summary>
    public static ModuleSupervisorOptions? Supervision(NodeOptions options)
    {
        if (options.ModuleRestart is null && options.ModuleOnFailure is null) return null;
        try
        {
            return new ModuleSupervisorOptions
            {
                Restart = options.ModuleRestart is null ? RestartPolicy.Default : RestartPolicy.Parse(options.ModuleRestart),
                OnFailure = options.ModuleOnFailure is null ? ModuleFailureAction.Withdraw : ModuleFailureActions.Parse(options.ModuleOnFailure),
            };
        }
        catch (FormatException ex)
        {
            throw new SkeinException(ex.Message, ex);
        }
    }
}
