using System.Text.Json;

namespace Skein;

/// <summary>
/// What the node tells an assembly module's <see cref="IModuleHooks"/> about this run of the module: its own name (one
/// file loaded twice has two), the node's name, its configuration and arguments — and a way to report that it failed.
/// </summary>
public sealed class ModuleContext
{
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();
    private readonly Action<Exception> _fail;

    /// <param name="module">The module's name on its node.</param>
    /// <param name="node">The node's name.</param>
    /// <param name="config">The module's configuration, a JSON object; null for none (an empty object).</param>
    /// <param name="arguments">The module's arguments.</param>
    /// <param name="fail">What <see cref="Fail"/> does: the node ends this run as a crash.</param>
    public ModuleContext(string module, string node, JsonElement? config, IReadOnlyList<string> arguments, Action<Exception> fail)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(module);
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(fail);
        if (config is { ValueKind: not JsonValueKind.Object } given)
            throw new ArgumentException($"a module's config must be a JSON object, not {given.ValueKind.ToString().ToLowerInvariant()}", nameof(config));
        Module = module;
        Node = node;
        Config = config ?? EmptyObject;
        Arguments = arguments;
        _fail = fail;
    }

    /// <summary>The module's name on its node, as it was loaded.</summary>
    public string Module { get; }

    /// <summary>The name of the node hosting the module.</summary>
    public string Node { get; }

    /// <summary>The module's configuration: always a JSON object, empty when none was given.</summary>
    public JsonElement Config { get; }

    /// <summary>The module's arguments.</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>
    /// Reports a failure the module cannot recover from, e.g. in background work no call would see. The run ends as if
    /// a hook had thrown <paramref name="exception"/>: a crash, which the restart policy may answer with a fresh run.
    /// Reporting after the run ended, or twice, does nothing.
    /// </summary>
    public void Fail(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        _fail(exception);
    }
}
