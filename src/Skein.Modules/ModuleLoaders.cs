using System.Collections.Concurrent;
using System.Text;

namespace Skein.Modules;

/// <summary>
/// The loaders a node knows, and the choice among them: an explicit loader name wins; otherwise the first registered
/// loader whose <see cref="IModuleLoader.CanLoad"/> recognises the file's extension or first bytes. A new kind of
/// module plugs in by registering its loader here; nothing else names loaders. The built-in loaders are registered by
/// <c>BuiltIn.BuiltInLoaders</c>, above the loaders themselves, so this registry knows only <see cref="IModuleLoader"/>.
/// </summary>
public sealed class ModuleLoaders
{
    /// <summary>How many bytes of a file the loaders see: enough for any magic number or shebang line they test.</summary>
    public const int SniffLength = 256;

    private readonly ConcurrentDictionary<string, IModuleLoader> _byName = new(StringComparer.Ordinal);
    private readonly List<IModuleLoader> _inOrder = [];
    private readonly Lock _gate = new();

    public ModuleLoaders(params IEnumerable<IModuleLoader> loaders)
    {
        foreach (var loader in loaders) Register(loader);
    }

    /// <summary>The registered loaders, in the order they are asked.</summary>
    public IReadOnlyList<IModuleLoader> Loaders
    {
        get
        {
            lock (_gate) return [.. _inOrder];
        }
    }

    /// <summary>Adds a loader, asked after those registered before it.</summary>
    /// <exception cref="SkeinException">A loader of that name is already registered.</exception>
    public void Register(IModuleLoader loader)
    {
        ArgumentNullException.ThrowIfNull(loader);
        ArgumentException.ThrowIfNullOrWhiteSpace(loader.Name);
        lock (_gate)
        {
            if (!_byName.TryAdd(loader.Name, loader)) throw new SkeinException($"a loader named '{loader.Name}' is already registered");
            _inOrder.Add(loader);
        }
    }

    /// <summary>The loader named <paramref name="name"/>, or null.</summary>
    public IModuleLoader? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>
    /// The loader for <paramref name="path"/>: the one named <paramref name="loaderName"/> when given (the <c>--loader</c>
    /// override), else the first that recognises the file.
    /// </summary>
    /// <exception cref="SkeinException">No such loader, no such file, or no loader recognises it; the message names the file and the loaders tried.</exception>
    public IModuleLoader Choose(string path, string? loaderName = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        if (!string.IsNullOrWhiteSpace(loaderName))
            return Find(loaderName) ?? throw new SkeinException($"no loader named '{loaderName}' is registered (registered: {Names()})");
        var head = ReadHead(full);
        var loaders = Loaders;
        foreach (var loader in loaders)
        {
            if (loader.CanLoad(full, head)) return loader;
        }
        // Say what the file looks like when we can, so "it is a script but nobody loads scripts" reads as such.
        var guess = ModuleFormats.Guess(full, head);
        if (guess is not null && Find(guess) is null)
            throw new SkeinException($"{full} looks like a {ModuleFormats.Describe(guess)}, but no loader named '{guess}' is registered (registered: {Names()})");
        throw new SkeinException(
            $"no loader recognises {full} (it starts with {Preview(head)}); tried: {Names()}. Name one with --loader NAME");
    }

    /// <summary>
    /// The loader that would load <paramref name="path"/> by its extension or first bytes, or null when none recognises it
    /// or it cannot be read: discovery asks this of every file it meets, and an unreadable one is simply not a module.
    /// </summary>
    public IModuleLoader? Recognise(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        byte[] head;
        try
        {
            head = ReadHead(full);
        }
        catch (SkeinException)
        {
            return null;
        }
        foreach (var loader in Loaders)
        {
            if (loader.CanLoad(full, head)) return loader;
        }
        return null;
    }

    /// <summary>
    /// Chooses a loader for the request (see <see cref="Choose"/>) and loads the module with it. A module that lacks one
    /// of the request's <see cref="ModuleLoadRequest.RequiredServices"/> is unloaded again and the load fails naming it.
    /// </summary>
    public async Task<LoadedModule> LoadAsync(ModuleLoadRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.AllowedPaths?.Check(request.Path, request.Node); // the file itself, not a link to somewhere else
        var module = await Choose(request.Path, request.Loader).LoadAsync(request, cancellationToken).ConfigureAwait(false);
        if (MissingService(request, module) is { } missing)
        {
            var offered = module.Services.Count == 0 ? "none" : string.Join(", ", module.Services.Select(s => s.Name));
            await module.UnloadAsync().ConfigureAwait(false);
            throw new SkeinException($"module '{request.Name}' does not offer service '{missing}', which its module.yaml declares (it offers: {offered})");
        }
        if (ModeNotSettable(request, module) is { } fixedMode)
        {
            await module.UnloadAsync().ConfigureAwait(false);
            throw new SkeinException($"module '{request.Name}' sets the instance mode of service '{fixedMode}', but only an assembly module's modes can be " +
                "set by the node; a module process declares them itself in its hello");
        }
        return module;
    }

    // Only services made here from the module's classes take the node's word on their mode; a module process makes its own objects.
    private static string? ModeNotSettable(ModuleLoadRequest request, LoadedModule module)
    {
        foreach (var service in module.Services)
        {
            if (service is not AssemblyModuleService && request.InstanceModes.ContainsKey(service.Name)) return service.Name;
        }
        return null;
    }

    private static string? MissingService(ModuleLoadRequest request, LoadedModule module)
    {
        foreach (var required in request.RequiredServices)
        {
            if (!module.Services.Any(s => string.Equals(s.Name, required, StringComparison.Ordinal))) return required;
        }
        return null;
    }

    private string Names()
    {
        var loaders = Loaders;
        return loaders.Count == 0 ? "none" : string.Join(", ", loaders.Select(l => l.Name));
    }

    private static byte[] ReadHead(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
            var head = new byte[SniffLength];
            var read = stream.ReadAtLeast(head, SniffLength, throwOnEndOfStream: false);
            return head[..read];
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new SkeinException($"module not found: {path}", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SkeinException($"cannot read module {path}: {ex.Message}", ex);
        }
    }

    private static string Preview(ReadOnlySpan<byte> head)
    {
        if (head.IsEmpty) return "nothing: the file is empty";
        var shown = head[..Math.Min(head.Length, 8)];
        var text = new StringBuilder();
        foreach (var b in shown) text.Append(b is >= 0x20 and < 0x7f ? (char)b : '.');
        return $"{Convert.ToHexString(shown)} \"{text}\"";
    }
}
