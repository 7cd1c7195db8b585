using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using Skein.Modules;
using Skein.Cluster.Services.Hosting;
using Skein.Cluster.Client;

namespace Skein.Cluster.Tests.Modules;

/// <summary>
/// Assembly modules built from tests/Modules: each in its own collectible load context, sharing Skein's assemblies with
/// the node, carrying its own versions of other libraries, and really freed when unloaded.
/// </summary>
public sealed class AssemblyModuleTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AModulesServicesAreHostedAndCallableThroughAProxyAndAsJson()
    {
        await using var host = new ServiceHost("node-a");
        var module = Assert.IsType<AssemblyModule>(await host.AddModuleAsync(new ModuleLoadRequest(TestModules.GreeterV1), Ct));
        Assert.Equal("Greeter.V1", module.Name);
        Assert.Equal("assembly", module.Loader);
        Assert.Equal(["greeter"], host.ServiceNames);
        Assert.Equal(["Greeter.V1"], host.Modules.Select(m => m.Name));

        await using var client = SkeinClient.ForLocalServices(host);
        Assert.Equal("\"hello, ada\"", await TestModules.CallJsonAsync(client, "greeter", "Greet", "[\"ada\"]", Ct));

        // A caller with its own copy of the contract, as any client has, gets a typed proxy (the binary codec).
        await using (var greeter = await client.GetServiceAsync<ICallerGreeter>(Ct))
        {
            Assert.Equal("hello, grace", await greeter.GreetAsync("grace", Ct));
            Assert.Equal("1.0.0.0", await greeter.LibraryVersionAsync(Ct));
            Assert.Equal(new CallerGreeting("hello, grace", "1.0.0.0"), await greeter.GreetingAsync("grace", Ct));
        }

        // The module's own contract type cannot have a proxy: it would tie a non-collectible proxy type to the module.
        var contract = Assert.IsType<AssemblyModuleService>(Assert.Single(module.Services)).Contract;
        var get = typeof(SkeinClient).GetMethod(nameof(SkeinClient.GetServiceAsync), [typeof(CancellationToken)])!.MakeGenericMethod(contract);
        var refused = await Assert.ThrowsAsync<SkeinException>(() => (Task)get.Invoke(client, [Ct])!);
        Assert.StartsWith("Greeter.IGreeter was loaded by an unloadable module, and a proxy cannot be made for such a contract", refused.Message);
    }

    [Fact]
    public void TheModuleLivesInItsOwnContextAndSharesSkeinsAssembliesWithTheNode()
    {
        var module = new AssemblyModuleLoader().Load(new ModuleLoadRequest(TestModules.GreeterV1, "greeter"));
        try
        {
            var context = module.LoadContext!;
            Assert.True(context.IsCollectible);
            Assert.Same(context, AssemblyLoadContext.GetLoadContext(module.Assembly!));
            Assert.DoesNotContain(AssemblyLoadContext.Default.Assemblies, a => a.GetName().Name == "Greeter.V1");
            var service = Assert.IsType<AssemblyModuleService>(Assert.Single(module.Services));
            // One ServiceAttribute type for node and module: the module's copy of Skein.Abstractions is not loaded.
            Assert.NotNull(service.Contract.GetCustomAttribute<ServiceAttribute>());
            Assert.DoesNotContain(context.Assemblies, a => a.GetName().Name == "Skein.Abstractions");
            Assert.Equal(new FileInfo(TestModules.GreeterV1).Length, module.File.Size);
            Assert.Matches("^[0-9a-f]{64}$", module.File.Sha256);
        }
        finally
        {
            _ = module.UnloadAsync();
        }
    }

    [Fact]
    public async Task ASharedAssemblyTheNodeDoesNotHaveComesFromTheModulesFolder()
    {
        var options = new ServiceHostOptions { Loaders = new ModuleLoaders(new AssemblyModuleLoader(sharedAssemblies: ["Shared.Lib"])) };
        await using var host = new ServiceHost("node-a", options);
        var module = (AssemblyModule)await host.AddModuleAsync(new ModuleLoadRequest(TestModules.GreeterV2), Ct);
        await using var client = SkeinClient.ForLocalServices(host);
        Assert.Equal("\"2.0.0.0\"", await TestModules.CallJsonAsync(client, "greeter", "LibraryVersion", "[]", Ct));
        Assert.Contains(module.LoadContext!.Assemblies, a => a.GetName().Name == "Shared.Lib");
    }

    [Fact]
    public async Task AnUnloadedModuleIsCollected()
    {
        await using var host = new ServiceHost("node-a");
        var context = await LoadCallAndRemoveAsync(host);
        // The standard way to watch a collectible context go: collect until its weak reference dies, a bounded number of times.
        for (var attempt = 0; context.IsAlive && attempt < 20; attempt++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Assert.False(context.IsAlive, "the module's load context is still alive after it was unloaded");
        Assert.Empty(host.ServiceNames);
        Assert.Empty(host.Modules);
        Assert.False(await host.RemoveModuleAsync("greeter"));
    }

    // Not inlined, so no local of this frame (the module, its types, the client) outlives it in the test's frame.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<WeakReference> LoadCallAndRemoveAsync(ServiceHost host)
    {
        var module = (AssemblyModule)await host.AddModuleAsync(new ModuleLoadRequest(TestModules.GreeterV1, "greeter"), Ct);
        var context = new WeakReference(module.LoadContext);
        await using (var client = SkeinClient.ForLocalServices(host))
        {
            // The singleton is made, and Shared.Lib is loaded into the module's context.
            Assert.Equal("\"1.0.0.0\"", await TestModules.CallJsonAsync(client, "greeter", "LibraryVersion", "[]", Ct));
            // Both codecs meet types of the module's own, both ways.
            Assert.Equal("{\"text\":\"HI\",\"library\":\"x\"}", await TestModules.CallJsonAsync(client, "greeter", "Shout", "[{\"text\":\"hi\",\"library\":\"x\"}]", Ct));
            await using var greeter = await client.GetServiceAsync<ICallerGreeter>(Ct);
            Assert.Equal(new CallerGreeting("HELLO", "y"), await greeter.ShoutAsync(new CallerGreeting("hello", "y"), Ct));
            Assert.Equal(new CallerGreeting("hello, bob", "1.0.0.0"), await greeter.GreetingAsync("bob", Ct));
        }
        Assert.True(await host.RemoveModuleAsync("greeter"));
        Assert.Null(module.LoadContext);
        Assert.Empty(module.Services);
        return context;
    }

    [Fact]
    public async Task TwoVersionsOfALibraryLiveSideBySideEachWithItsModule()
    {
        await using var first = new ServiceHost("node-a");
        await using var second = new ServiceHost("node-b");
        await first.AddModuleAsync(new ModuleLoadRequest(TestModules.GreeterV1), Ct);
        await second.AddModuleAsync(new ModuleLoadRequest(TestModules.GreeterV2), Ct);
        await using var one = SkeinClient.ForLocalServices(first);
        await using var two = SkeinClient.ForLocalServices(second);
        Assert.Equal("\"1.0.0.0\"", await TestModules.CallJsonAsync(one, "greeter", "LibraryVersion", "[]", Ct));
        Assert.Equal("\"2.0.0.0\"", await TestModules.CallJsonAsync(two, "greeter", "LibraryVersion", "[]", Ct));
        // Still both, in one process at once.
        Assert.Equal("\"1.0.0.0\"", await TestModules.CallJsonAsync(one, "greeter", "LibraryVersion", "[]", Ct));
        var versions = AppDomain.CurrentDomain.GetAssemblies().Where(a => a.GetName().Name == "Shared.Lib").Select(a => a.GetName().Version!.Major).ToHashSet();
        Assert.Superset(new HashSet<int> { 1, 2 }, versions);
    }

    [Fact]
    public async Task OneFileLoadedUnderTwoNamesGivesTwoIndependentModules()
    {
        var loader = new AssemblyModuleLoader();
        var a = (AssemblyModule)await loader.LoadAsync(new ModuleLoadRequest(TestModules.GreeterV1, "greeter-a"), Ct);
        var b = (AssemblyModule)await loader.LoadAsync(new ModuleLoadRequest(TestModules.GreeterV1, "greeter-b"), Ct);
        try
        {
            Assert.Equal(("greeter-a", "greeter-b"), (a.Name, b.Name));
            Assert.NotSame(a.LoadContext, b.LoadContext);
            Assert.NotSame(a.Assembly, b.Assembly);
            var typeA = ((AssemblyModuleService)a.Services[0]).Implementation;
            var typeB = ((AssemblyModuleService)b.Services[0]).Implementation;
            Assert.Equal(typeA.FullName, typeB.FullName);
            Assert.NotEqual(typeA, typeB);
            Assert.Equal(a.File, b.File);

            // Unloading one leaves the other working.
            await a.UnloadAsync();
            Assert.Null(a.LoadContext);
            Assert.NotNull(b.LoadContext);
            Assert.Equal("hello, b", await (Task<string>)typeB.GetMethod("GreetAsync")!.Invoke(Activator.CreateInstance(typeB), ["b", Ct])!);
        }
        finally
        {
            await a.UnloadAsync();
            await b.UnloadAsync();
        }
    }

    [Fact]
    public async Task AModuleWhoseServiceIsAlreadyHostedIsRefusedAndTheHostKeepsTheFirst()
    {
        await using var host = new ServiceHost("node-a");
        await host.AddModuleAsync(new ModuleLoadRequest(TestModules.GreeterV1, "first"), Ct);
        var error = await Assert.ThrowsAsync<SkeinException>(() => host.AddModuleAsync(new ModuleLoadRequest(TestModules.GreeterV1, "second"), Ct));
        Assert.StartsWith("service 'greeter' is hosted twice on node node-a", error.Message);
        var taken = await Assert.ThrowsAsync<SkeinException>(() => host.AddModuleAsync(new ModuleLoadRequest(TestModules.GreeterV2, "first"), Ct));
        Assert.Equal("a module named 'first' is already loaded on node node-a; give this one another name", taken.Message);
        Assert.Equal(["first"], host.Modules.Select(m => m.Name));
        await using var client = SkeinClient.ForLocalServices(host);
        Assert.Equal("\"1.0.0.0\"", await TestModules.CallJsonAsync(client, "greeter", "LibraryVersion", "[]", Ct));
    }

    [Fact]
    public async Task ReloadReadsTheFileAgainIntoANewContextOnlyWhenAllowed()
    {
        await using (var strict = new ServiceHost("node-a"))
        {
            await strict.AddModuleAsync(new ModuleLoadRequest(TestModules.GreeterV1, "greeter"), Ct);
            var refused = await Assert.ThrowsAsync<SkeinException>(() => strict.ReloadModuleAsync("greeter", Ct));
            Assert.Equal("reloading modules is off on node node-a; it is a debugging aid (ServiceHostOptions.AllowReload)", refused.Message);
        }

        await using var host = new ServiceHost("node-a", new ServiceHostOptions { AllowReload = true });
        var first = (AssemblyModule)await host.AddModuleAsync(new ModuleLoadRequest(TestModules.GreeterV1, "greeter"), Ct);
        var before = first.LoadContext;
        var second = (AssemblyModule)await host.ReloadModuleAsync("greeter", Ct);
        Assert.Null(first.LoadContext);
        Assert.NotSame(before, second.LoadContext);
        Assert.Equal(("greeter", first.File), (second.Name, second.File));
        await using var client = SkeinClient.ForLocalServices(host);
        Assert.Equal("\"hello, ada\"", await TestModules.CallJsonAsync(client, "greeter", "Greet", "[\"ada\"]", Ct));
        var missing = await Assert.ThrowsAsync<SkeinException>(() => host.ReloadModuleAsync("absent", Ct));
        Assert.Equal("no module named 'absent' is loaded on node node-a", missing.Message);
    }

    [Fact]
    public async Task AnAssemblyModuleLoadsIntoItsOwnContext()
    {
        var host = new ServiceHost("node-a");
        var loaded = await host.AddModuleAsync(new ModuleLoadRequest(TestModules.GreeterV1, loader: ModuleFormats.Assembly), Ct);
        Assert.Equal(["greeter"], loaded.Services.Select(s => s.Name));
        var module = Assert.IsType<AssemblyModule>(Assert.Single(host.Modules));
        Assert.Equal("Greeter.V1", module.Name);
        Assert.NotSame(AssemblyLoadContext.Default, module.LoadContext);
        Assert.DoesNotContain(AssemblyLoadContext.Default.Assemblies, a => a.GetName().Name == "Greeter.V1");
    }

    [Fact]
    public async Task AFileThatIsNotAnAssemblyOrHasNoServiceIsRefused()
    {
        using var directory = new TempDirectory();
        var fake = Path.Combine(directory.Path, "fake.dll");
        File.WriteAllBytes(fake, [(byte)'M', (byte)'Z', 0, 0]);
        var host = new ServiceHost("node-a");
        var error = await Assert.ThrowsAsync<SkeinException>(() => host.AddModuleAsync(new ModuleLoadRequest(fake, loader: ModuleFormats.Assembly), Ct));
        Assert.StartsWith($"{fake} is not a .NET assembly Skein can load", error.Message);

        var noService = typeof(AssemblyModuleTests).Assembly.Location.Replace("Skein.Cluster.Tests.dll", "Skein.Engine.dll", StringComparison.Ordinal);
        error = await Assert.ThrowsAsync<SkeinException>(() => host.AddModuleAsync(new ModuleLoadRequest(noService, loader: ModuleFormats.Assembly), Ct));
        Assert.Equal($"{noService} has no service: no public class implements an interface marked [Service(\"name\")]", error.Message);
        Assert.Empty(host.Modules);
    }
}

/// <summary>The greeter contract as a caller compiles it: its own interface with the same service name and methods.</summary>
[Service("greeter")]
public interface ICallerGreeter : IAsyncDisposable
{
    Task<string> GreetAsync(string name, CancellationToken cancellationToken = default);

    Task<string> LibraryVersionAsync(CancellationToken cancellationToken = default);

    Task<CallerGreeting> GreetingAsync(string name, CancellationToken cancellationToken = default);

    Task<CallerGreeting> ShoutAsync(CallerGreeting greeting, CancellationToken cancellationToken = default);
}

/// <summary>The caller's copy of the module's Greeting record.</summary>
public sealed record CallerGreeting(string Text, string Library);
