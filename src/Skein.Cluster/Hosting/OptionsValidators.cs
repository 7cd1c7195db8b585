using Microsoft.Extensions.Options;
using Skein.Cluster.Addressing;
using Skein.Cluster.Configuration;

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
    }
}
