using Skein.Modules.Lifecycle;

namespace Skein.Modules;

/// <summary>What starting a supervised module means for its loader's caller: active, or a <see cref="SkeinException"/> saying why not.</summary>
internal static class SupervisedStart
{
    /// <param name="first">Whether this call starts the supervisor; a later one only waits for the module to be active.</param>
    public static async Task RunAsync(ModuleSupervisor supervisor, bool first, CancellationToken cancellationToken)
    {
        if (first)
        {
            try
            {
                supervisor.Start();
            }
            catch (InvalidOperationException ex)
            {
                // Unloaded before it was started: the supervisor refuses to start again.
                throw new SkeinException(ex.Message, ex);
            }
        }
        try
        {
            await supervisor.WhenActiveAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ModuleUnavailableException ex) when (supervisor.State == ModuleState.Failed && supervisor.LastExit is { } exit)
        {
            // The caller asked for a module, not for its supervisor's bookkeeping: say why it did not start.
            throw new ModuleStartFailedException($"module '{supervisor.Module}' could not start: {exit}", ex);
        }
        catch (ModuleUnavailableException ex)
        {
            throw new SkeinException(ex.Message, ex);
        }
    }
}
