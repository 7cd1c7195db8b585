using System.Text.Json;
using System.Threading.Channels;
using Skein.Modules.Lifecycle;
using Skein.Cluster.Services.Hosting;

namespace Skein.Cluster.Tests.Modules;

/// <summary>The <c>module.NAME.state</c> events a service host publishes, in order, for a test to wait on.</summary>
internal sealed class StateEvents
{
    private static readonly TimeSpan Wait = TestPatience.Ceiling;
    private readonly Channel<(string Subject, ModuleStateEvent Change)> _events = Channel.CreateUnbounded<(string, ModuleStateEvent)>();
    private readonly List<(string Subject, ModuleStateEvent Change)> _seen = [];

    public StateEvents(ServiceHost host) =>
        host.Events += (subject, payload) =>
        {
            if (!subject.EndsWith(".state", StringComparison.Ordinal)) return;
            _events.Writer.TryWrite((subject, JsonSerializer.Deserialize(payload.Span, ModuleEventsJsonContext.Default.ModuleStateEvent)!));
        };

    /// <summary>The events read so far by <see cref="WaitForAsync"/>.</summary>
    public IReadOnlyList<(string Subject, ModuleStateEvent Change)> Seen => _seen;

    /// <summary>Reads events until one moves module <paramref name="module"/> to <paramref name="to"/>, and returns it.</summary>
    public async Task<ModuleStateEvent> WaitForAsync(string module, string to)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(Wait);
        while (true)
        {
            var next = await _events.Reader.ReadAsync(deadline.Token);
            _seen.Add(next);
            if (next.Change.Module == module && next.Change.To == to) return next.Change;
        }
    }

    /// <summary>The transitions seen so far, as "from→to".</summary>
    public IReadOnlyList<string> Transitions(string module) =>
        _seen.Where(e => e.Change.Module == module).Select(e => $"{e.Change.From}→{e.Change.To}").ToList();
}
