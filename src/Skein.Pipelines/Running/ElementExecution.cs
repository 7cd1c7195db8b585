using System.Runtime.ExceptionServices;
using Skein.Engine;

namespace Skein.Pipelines;

/// <summary>Where one attempt of an element runs: the same wherever that is (this process, or a node).</summary>
/// <param name="Directory">The attempt's own directory: setup and teardown run there, each invocation in a fresh one below it.</param>
internal sealed record ElementSurroundings(string Pipeline, string Directory, Func<TextWriter> Log, IAttemptReporter Reporter, ShippedAttemptIdentity Identity, IServiceProvider? Services);

/// <summary>
/// Runs one attempt of an element, the one way for every executor: sets its inputs; sets up its hooks in order, then
/// the element; runs it once per invocation, each in a fresh directory; tears down the element, then the hooks in
/// reverse — always, also when a run threw or the token fired; then reads its outputs.
/// </summary>
/// <remarks>
/// Teardown gets a token that does not fire with the attempt's: a timeout must not cut short the clean-up it
/// triggers (the run still abandons an attempt that outlives its grace, so a teardown that hangs cannot hang the run).
/// </remarks>
internal static class ElementExecution
{
    public static async ValueTask<Dictionary<string, object?>> RunAsync(Element element, IReadOnlyDictionary<string, object?> inputs,
        ElementSurroundings where, CancellationToken cancellationToken)
    {
        var ports = element.Ports;
        foreach (var input in ports.Inputs)
        {
            if (inputs.TryGetValue(input.Name, out var value)) input.Property.SetValue(element, value);
        }

        var invocations = element.InvocationCount ?? 1;
        var context = new ElementContext(where.Pipeline, element.Name, 0, invocations, where.Directory, where.Log, where.Reporter, where.Identity, where.Services);
        var lists = element.InvocationCount is null ? null : ports.Outputs.Select(o => Array.CreateInstance(o.PortType.RuntimeType, invocations)).ToArray();
        var hooksSetUp = 0;
        var elementSetUp = false;
        ExceptionDispatchInfo? failure = null;
        try
        {
            foreach (var hook in element.Hooks)
            {
                hooksSetUp++;
                if (hook.Setup is { } setup) await setup(context, cancellationToken).ConfigureAwait(false);
            }
            elementSetUp = true;
            await element.SetupAsync(context, cancellationToken).ConfigureAwait(false);
            for (var i = 1; i <= invocations; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await element.RunAsync(context.ForInvocation(i), cancellationToken).ConfigureAwait(false);
                if (lists is null) continue;
                for (var o = 0; o < lists.Length; o++) lists[o].SetValue(ports.Outputs[o].Property.GetValue(element), i - 1);
            }
        }
        catch (Exception ex)
        {
            failure = ExceptionDispatchInfo.Capture(ex);
        }

        // Teardown, always: the element's own, then the hooks' in reverse. The first failure is the attempt's; a
        // teardown that fails after a failed run is logged beside it.
        if (elementSetUp) failure = await TearDownAsync(() => element.TeardownAsync(context, CancellationToken.None), element.Name, where.Log, failure).ConfigureAwait(false);
        for (var h = hooksSetUp - 1; h >= 0; h--)
        {
            if (element.Hooks[h].Teardown is not { } teardown) continue;
            failure = await TearDownAsync(() => teardown(context, CancellationToken.None), $"hook '{element.Hooks[h].Name}'", where.Log, failure).ConfigureAwait(false);
        }
        failure?.Throw();

        var outputs = new Dictionary<string, object?>(ports.Outputs.Count, StringComparer.Ordinal);
        for (var o = 0; o < ports.Outputs.Count; o++)
        {
            var output = ports.Outputs[o];
            outputs[output.Name] = lists is null ? output.Property.GetValue(element) : lists[o];
        }
        return outputs;
    }

    private static async ValueTask<ExceptionDispatchInfo?> TearDownAsync(Func<ValueTask> teardown, string what, Func<TextWriter> log, ExceptionDispatchInfo? failure)
    {
        try
        {
            await teardown().ConfigureAwait(false);
            return failure;
        }
        catch (Exception ex)
        {
            if (failure is null) return ExceptionDispatchInfo.Capture(ex);
            await log().WriteLineAsync($"teardown of {what} failed too: {ex}").ConfigureAwait(false);
            return failure;
        }
    }
}
