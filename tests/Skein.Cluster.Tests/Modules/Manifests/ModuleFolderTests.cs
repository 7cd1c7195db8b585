using System.Text.Json;
using Skein.Modules;
using Skein.Modules.Lifecycle;
using Skein.Modules.Manifests;
using Skein.Modules.BuiltIn;
using ServiceHost = Skein.Cluster.Services.Hosting.ServiceHost;

namespace Skein.Cluster.Tests.Modules.Manifests;

/// <summary>A folder or a module.yaml given where a module file goes: which file it stands for, and whose values win.</summary>
public sealed class ModuleFolderTests : IDisposable
{
    private readonly ManifestFolder _files = new();
    private readonly ModuleLoaders _loaders = BuiltInLoaders.Create();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _files.Dispose();

    private string StatsFolder(string extra = "")
    {
        _files.Script("stats/stats.py");
        _files.Write("stats/module.yaml", $"""
            name: statistics
            entry: stats.py
            services: [stats]
            restart: temporary
            config: {"{"}stdev: sample, digits: 3{"}"}
            args: [--from-manifest]
            {extra}
            """);
        return Path.Combine(_files.Root, "stats");
    }

    [Fact]
    public void A_folder_with_a_manifest_becomes_the_request_for_its_entry_with_the_manifest_values()
    {
        var folder = StatsFolder("loader: process");

        var resolved = ModuleFolder.Resolve(new ModuleLoadRequest(folder) { Node = "n1", App = "shop" }, _loaders);

        Assert.Equal(Path.Combine(folder, "stats.py"), resolved.Path);
        Assert.Equal("statistics", resolved.Name);
        Assert.Equal("process", resolved.Loader);
        Assert.Equal(RestartMode.Temporary, resolved.Supervision!.Restart.Mode);
        Assert.Equal("""{"stdev":"sample","digits":3}""", JsonSerializer.Serialize(resolved.Config));
        Assert.Equal(["--from-manifest"], resolved.Arguments);
        Assert.Equal(["stats"], resolved.RequiredServices);
        Assert.Equal("n1", resolved.Node);
        Assert.Equal("shop", resolved.App);
    }

    [Fact]
    public void The_manifest_file_itself_stands_for_its_module_too()
    {
        var folder = StatsFolder();

        var resolved = ModuleFolder.Resolve(new ModuleLoadRequest(Path.Combine(folder, "module.yaml")), _loaders);

        Assert.Equal(Path.Combine(folder, "stats.py"), resolved.Path);
        Assert.Equal("statistics", resolved.Name);
    }

    [Fact]
    public void What_the_request_says_explicitly_wins_over_the_manifest()
    {
        var folder = StatsFolder("loader: process");
        using var config = JsonDocument.Parse("""{"digits":5,"extra":true}""");
        var supervision = new ModuleSupervisorOptions { Restart = RestartPolicy.Default with { Mode = RestartMode.Permanent } };

        var resolved = ModuleFolder.Resolve(new ModuleLoadRequest(folder, name: "stats-2", loader: "assembly")
        {
            Config = config.RootElement.Clone(),
            Arguments = ["--asked"],
            Supervision = supervision,
        }, _loaders);

        Assert.Equal("stats-2", resolved.Name);
        Assert.Equal("assembly", resolved.Loader);
        Assert.Same(supervision, resolved.Supervision);
        Assert.Equal(["--asked"], resolved.Arguments);
        // Shallow: the request's keys replace the manifest's, the manifest's others stay.
        Assert.Equal("""{"stdev":"sample","digits":5,"extra":true}""", JsonSerializer.Serialize(resolved.Config));
    }

    [Fact]
    public void A_request_config_alone_or_a_manifest_config_alone_is_used_as_it_is()
    {
        _files.Script("plain/plain.py");
        _files.Write("plain/module.yaml", "name: plain\nentry: plain.py\n");
        using var config = JsonDocument.Parse("""{"a":1}""");

        var resolved = ModuleFolder.Resolve(new ModuleLoadRequest(Path.Combine(_files.Root, "plain")) { Config = config.RootElement.Clone() }, _loaders);

        Assert.Equal("""{"a":1}""", JsonSerializer.Serialize(resolved.Config));
        Assert.Equal("""{"stdev":"sample","digits":3}""", JsonSerializer.Serialize(ModuleFolder.Resolve(new ModuleLoadRequest(StatsFolder()), _loaders).Config));
    }

    [Fact]
    public void A_folder_without_a_manifest_stands_for_the_file_named_after_it_and_is_named_after_the_folder()
    {
        var greeter = _files.Assembly("greeter/Greeter.dll");
        _files.Write("greeter/Greeter", "\x7f" + "ELF an apphost beside it"); // what dotnet build leaves for an executable
        _files.Write("greeter/Greeter.pdb", "symbols");

        var resolved = ModuleFolder.Resolve(new ModuleLoadRequest(Path.Combine(_files.Root, "greeter") + "/"), _loaders);

        Assert.Equal(greeter, resolved.Path);
        Assert.Equal("greeter", resolved.Name);
        Assert.Equal("renamed", ModuleFolder.Resolve(new ModuleLoadRequest(Path.Combine(_files.Root, "greeter"), name: "renamed"), _loaders).Name);
    }

    [Fact]
    public void A_folder_with_neither_is_refused_saying_what_it_looked_for()
    {
        _files.Write("empty/notes.txt", "nothing to load");

        var error = Assert.Throws<SkeinException>(() => ModuleFolder.Resolve(new ModuleLoadRequest(Path.Combine(_files.Root, "empty")), _loaders));

        Assert.Contains("is a folder without a module.yaml or a module file named after it (such as empty.dll or empty.py)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plain_file_is_left_as_it_is()
    {
        var request = new ModuleLoadRequest(_files.Script("loose.py"));

        Assert.Same(request, ModuleFolder.Resolve(request, _loaders));
    }

    [Fact]
    public void A_broken_manifest_fails_the_load_with_its_position()
    {
        _files.Script("bad/bad.py");
        _files.Write("bad/module.yaml", "name: bad\nentry: bad.py\nwithin: 60\n");

        var error = Assert.Throws<ModuleManifestException>(() => ModuleFolder.Resolve(new ModuleLoadRequest(Path.Combine(_files.Root, "bad")), _loaders));

        Assert.Contains("module.yaml:3:9: error: within: '60' is not a duration (did you mean 60s?)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_manifest_sets_an_assembly_modules_instance_mode_and_a_request_may_set_it_again()
    {
        var folder = _files.Folder("greeter");
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(TestModules.GreeterV1)!)) File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        _files.Write("greeter/module.yaml", "name: greeter\nentry: Greeter.V1.dll\nservices:\n  greeter: {instance: per-connection}\n");
        await using var host = new ServiceHost("node-i");

        // FriendlyGreeter declares itself a singleton; the manifest makes it per-connection.
        await host.AddModuleAsync(new ModuleLoadRequest(folder), Ct);
        Assert.Equal(InstanceMode.PerConnection, host.Describe().Single(s => s.Name == "greeter").Mode);
        await host.RemoveModuleAsync("greeter");

        await host.AddModuleAsync(new ModuleLoadRequest(folder) { InstanceModes = new Dictionary<string, InstanceMode> { ["greeter"] = InstanceMode.Pooled } }, Ct);
        Assert.Equal(InstanceMode.Pooled, host.Describe().Single(s => s.Name == "greeter").Mode);
    }

    [Fact]
    public async Task A_service_host_loads_a_module_folder_and_refuses_one_lacking_a_declared_service()
    {
        Assert.SkipWhen(ModuleProcess.FindPython() is null, "python3 is not on the PATH");
        var module = PythonStats();
        _files.Write("good/stats.py", module);
        _files.Write("good/module.yaml", "name: numbers\nentry: stats.py\nservices: [stats]\nconfig: {stdev: population}\n");
        _files.Write("lacking/stats.py", module);
        _files.Write("lacking/module.yaml", "name: lacking\nentry: stats.py\nservices: [stats, histogram]\n");
        await using var host = new ServiceHost("node-f");

        var loaded = await host.AddModuleAsync(new ModuleLoadRequest(Path.Combine(_files.Root, "good")), Ct);

        Assert.Equal("numbers", loaded.Name);
        Assert.Equal(["stats"], host.ServiceNames);
        Assert.Equal("population", host.RequestOf("numbers")!.Config!.Value.GetProperty("stdev").GetString());

        var error = await Assert.ThrowsAsync<SkeinException>(() => host.AddModuleAsync(new ModuleLoadRequest(Path.Combine(_files.Root, "lacking")), Ct));

        Assert.Contains("module 'lacking' does not offer service 'histogram', which its module.yaml declares (it offers: stats)", error.Message, StringComparison.Ordinal);
        Assert.Equal(["numbers"], host.Modules.Select(m => m.Name));

        _files.Write("moded/stats.py", module);
        _files.Write("moded/module.yaml", "name: moded\nentry: stats.py\nservices:\n  stats: {instance: pooled}\n");
        var moded = await Assert.ThrowsAsync<SkeinException>(() => host.AddModuleAsync(new ModuleLoadRequest(Path.Combine(_files.Root, "moded")), Ct));
        Assert.Contains("module 'moded' sets the instance mode of service 'stats', but only an assembly module's modes can be set by the node", moded.Message, StringComparison.Ordinal);
        Assert.Equal(["numbers"], host.Modules.Select(m => m.Name));
    }

    /// <summary>A one-method stats module that finds the Python helper by an absolute path, wherever it is copied.</summary>
    private static string PythonStats()
    {
        var sdk = Path.Combine(ModuleProcess.RepositoryRoot(), "sdk", "python");
        return $$"""
            import sys
            sys.path.insert(0, {{JsonSerializer.Serialize(sdk)}})
            from skein_module import Module, method, service

            @service("stats", mode="singleton")
            class Stats:
                @method
                def mean(self, values):
                    return sum(values) / len(values)

            if __name__ == "__main__":
                sys.exit(Module(Stats).run())
            """;
    }
}
