using System.Text.Json;

namespace Hooked;

/// <summary>
/// The module's hooks. Config keys: "failInitialize" and "failActivate" (a message to throw), "failStop" (likewise, in
/// the stop hook), "slowStop" (true: the stop hook waits for <see cref="Probe.StopGate"/>).
/// </summary>
public sealed class Hooks : IModuleHooks
{
    private readonly int _number = Interlocked.Increment(ref Probe.HooksMade);
    private ModuleContext? _context;

    public Task InitializeAsync(ModuleContext context, CancellationToken cancellationToken)
    {
        _context = context;
        Probe.Context = context;
        Probe.Log.Enqueue($"initialize {_number} {context.Module} on {context.Node}");
        if (Text("failInitialize") is { } message) throw new InvalidOperationException(message);
        return Task.CompletedTask;
    }

    public Task ActivateAsync(CancellationToken cancellationToken)
    {
        Probe.Log.Enqueue($"activate {_number}");
        if (Text("failActivate") is { } message) throw new InvalidOperationException(message);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Probe.Log.Enqueue($"stop {_number}");
        Probe.Stopping.TrySetResult();
        if (_context!.Config.TryGetProperty("slowStop", out var slow) && slow.ValueKind == JsonValueKind.True)
            await Probe.StopGate.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (Text("failStop") is { } message) throw new InvalidOperationException(message);
    }

    private string? Text(string key) =>
        _context!.Config.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
