using Skein.Modules;
using Skein.Modules.BuiltIn;

namespace Skein.Cluster.Tests.Modules;

/// <summary>Which loader a file gets: by an explicit name, else by magic number or extension; and the errors when none fits.</summary>
public sealed class ModuleLoadersTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string Write(string name, byte[] content)
    {
        var path = Path.Combine(_directory.Path, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    [Fact]
    public void AFileStartingWithMZGoesToTheAssemblyLoaderWhateverItsName()
    {
        var loaders = BuiltInLoaders.Create();
        var path = Write("module.bin", [(byte)'M', (byte)'Z', 0x90, 0x00]);
        Assert.Equal("assembly", loaders.Choose(path).Name);
    }

    [Fact]
    public void ARealAssemblyGoesToTheAssemblyLoader() =>
        Assert.IsType<AssemblyModuleLoader>(BuiltInLoaders.Create().Choose(TestModules.GreeterV1));

    [Theory]
    [InlineData("tool.sh", "#!/bin/sh\necho hi\n")]
    [InlineData("tool", "\u007fELF\u0002\u0001\u0001")]
    [InlineData("stats.py", "import sys\n")]
    public void ScriptsAndExecutablesAreForTheProcessLoaderAndSaySoWhenItIsMissing(string name, string content)
    {
        var path = Write(name, System.Text.Encoding.Latin1.GetBytes(content));
        Assert.Equal(ModuleFormats.Process, BuiltInLoaders.Create().Choose(path).Name);
        var loaders = new ModuleLoaders(new AssemblyModuleLoader());
        var error = Assert.Throws<SkeinException>(() => loaders.Choose(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("no loader named 'process' is registered", error.Message);
        Assert.Contains("registered: assembly", error.Message);
    }

    [Theory]
    [InlineData("tool.sh", "#!/bin/sh\n")]
    [InlineData("tool", "\u007fELF\u0002")]
    [InlineData("stats.py", "print(1)\n")]
    public void ARegisteredProcessLoaderIsChosenForThem(string name, string content)
    {
        var process = new FakeLoader("process", ModuleFormats.Process);
        var loaders = new ModuleLoaders(new AssemblyModuleLoader(), process);
        var path = Write(name, System.Text.Encoding.Latin1.GetBytes(content));
        Assert.Same(process, loaders.Choose(path));
    }

    [Fact]
    public void AnUnknownFileIsRefusedNamingTheFileAndTheLoadersTried()
    {
        var loaders = new ModuleLoaders(new AssemblyModuleLoader(), new FakeLoader("process", ModuleFormats.Process));
        var path = Write("notes.txt", "just text"u8.ToArray());
        var error = Assert.Throws<SkeinException>(() => loaders.Choose(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("tried: assembly, process", error.Message);
        Assert.Contains("\"just tex\"", error.Message);
    }

    [Fact]
    public void AMissingFileIsRefusedAsNotFound()
    {
        var path = Path.Combine(_directory.Path, "absent.dll");
        var error = Assert.Throws<SkeinException>(() => BuiltInLoaders.Create().Choose(path));
        Assert.Equal($"module not found: {path}", error.Message);
    }

    [Fact]
    public void AnExplicitLoaderNameOverridesTheFileContents()
    {
        var custom = new FakeLoader("custom", ModuleFormats.Process);
        var loaders = new ModuleLoaders(new AssemblyModuleLoader(), custom);
        var path = Write("module.dll", [(byte)'M', (byte)'Z']);
        Assert.Same(custom, loaders.Choose(path, "custom"));
        var error = Assert.Throws<SkeinException>(() => loaders.Choose(path, "lua"));
        Assert.Equal("no loader named 'lua' is registered (registered: assembly, custom)", error.Message);
    }

    [Fact]
    public void APluggedInLoaderIsAskedInTurnAndNamesMustBeUnique()
    {
        var loaders = BuiltInLoaders.Create();
        var lua = new FakeLoader("lua", null, ".lua");
        loaders.Register(lua);
        Assert.Same(lua, loaders.Choose(Write("game.lua", "print('hi')"u8.ToArray())));
        Assert.Equal(["assembly", "process", "isolated", "lua"], loaders.Loaders.Select(l => l.Name));
        var error = Assert.Throws<SkeinException>(() => loaders.Register(new FakeLoader("lua", null, ".lua")));
        Assert.Equal("a loader named 'lua' is already registered", error.Message);
    }

    [Fact]
    public async Task LoadAsyncUsesTheLoaderTheRequestNames()
    {
        var custom = new FakeLoader("custom", null);
        var loaders = new ModuleLoaders(new AssemblyModuleLoader(), custom);
        var path = Write("module.dll", [(byte)'M', (byte)'Z']);
        var module = await loaders.LoadAsync(new ModuleLoadRequest(path, "m1", loader: "custom"), TestContext.Current.CancellationToken);
        Assert.Equal("m1", module.Name);
        Assert.Equal("custom", module.Loader);
        Assert.Equal(2, module.File.Size);
        // SHA-256 of "MZ"
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("MZ"u8)), module.File.Sha256);
    }

    /// <summary>A loader recognising one well-known format or an extension, whose modules offer nothing.</summary>
    private sealed class FakeLoader(string name, string? format, string? extension = null) : IModuleLoader
    {
        public string Name => name;

        public bool CanLoad(string path, ReadOnlySpan<byte> firstBytes) =>
            (format is not null && ModuleFormats.Guess(path, firstBytes) == format)
            || (extension is not null && path.EndsWith(extension, StringComparison.OrdinalIgnoreCase));

        public Task<LoadedModule> LoadAsync(ModuleLoadRequest request, CancellationToken cancellationToken) =>
            Task.FromResult<LoadedModule>(new EmptyModule(request.Name, Name, ModuleFile.Read(request.Path)));
    }

    private sealed class EmptyModule(string name, string loader, ModuleFile file) : LoadedModule(name, loader, file)
    {
        public override IReadOnlyList<ModuleService> Services => [];

        public override ValueTask UnloadAsync() => ValueTask.CompletedTask;
    }
}
