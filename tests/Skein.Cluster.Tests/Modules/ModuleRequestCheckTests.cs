using Skein.Modules;
using Skein.Cluster.NodeControl;
using Skein.Cluster.Protocol;
using ServiceHost = Skein.Cluster.Services.Hosting.ServiceHost;

namespace Skein.Cluster.Tests.Modules;

/// <summary>
/// A real node's module control checks names, paths and sizes at the door: a bad one is a clear error naming the
/// value and the rule or limit, never a handler's exception, never blamed on the module, and nothing is loaded.
/// </summary>
public sealed class ModuleRequestCheckTests : IAsyncLifetime
{
    private const string Token = "test-token-requests";
    private readonly TempDirectory _dir = new();
    private NodeHost _node = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() =>
        _node = await NodeHost.StartAsync(new ServiceHost("node-q"), Token, cancellationToken: Ct, modulePaths: new ModulePaths([_dir.Path], allowAnyPath: false));

    public async ValueTask DisposeAsync()
    {
        await _node.DisposeAsync();
        _dir.Dispose();
    }

    private ModuleControl Control() => new("node-q", $"127.0.0.1:{_node.Address.Port}", Token);

    [Fact]
    public async Task A_NUL_in_a_module_path_is_refused_saying_so()
    {
        using var control = Control();

        var error = await Assert.ThrowsAsync<SkeinException>(() => control.LoadAsync(Path.Combine(_dir.Path, "a\0b.py"), null, null, TestPatience.Ceiling, Ct));

        Assert.Contains("holds a NUL character (at position", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception was thrown by handler", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_module_path_over_the_limit_is_refused_naming_the_limit()
    {
        using var control = Control();

        var error = await Assert.ThrowsAsync<SkeinException>(() => control.LoadAsync("/" + new string('a', 5000), null, null, TestPatience.Ceiling, Ct));

        Assert.Contains("the module path is too long: 5001 characters, over the limit of 4096", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../../x y")]
    [InlineData(".hidden")]
    [InlineData("a*b")]
    [InlineData("")]
    public async Task A_module_name_outside_the_pattern_is_refused_by_unload_and_reload(string name)
    {
        using var control = Control();

        var unload = await Assert.ThrowsAsync<SkeinException>(() => control.UnloadAsync(name, TestPatience.Ceiling, Ct));
        var reload = await Assert.ThrowsAsync<SkeinException>(() => control.ReloadAsync(name, TestPatience.Ceiling, Ct));

        Assert.Contains($"'{name}' is not a valid module name: use 1 to 64 letters, digits, '-', '_' and '.'", unload.Message, StringComparison.Ordinal);
        Assert.Contains($"'{name}' is not a valid module name", reload.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_module_name_outside_the_pattern_is_refused_at_load_and_nothing_is_loaded()
    {
        Assert.SkipWhen(ModuleProcess.FindPython() is null, "python3 is not on the PATH");
        var script = ScriptModules.WriteProbe(Path.Combine(_dir.Path, "probe.py"), "probe");
        var oddly = ScriptModules.WriteProbe(Path.Combine(_dir.Path, "x y.py"), "odd");
        using var control = Control();

        var given = await Assert.ThrowsAsync<SkeinException>(() => control.LoadAsync(script, "../../x y", null, TestPatience.Ceiling, Ct));
        var fromFile = await Assert.ThrowsAsync<SkeinException>(() => control.LoadAsync(oddly, null, null, TestPatience.Ceiling, Ct));

        Assert.Contains("'../../x y' is not a valid module name", given.Message, StringComparison.Ordinal);
        Assert.Contains("'x y' is not a valid module name", fromFile.Message, StringComparison.Ordinal);
        Assert.Empty(await control.ListAsync(Ct));
    }

    [Fact]
    public async Task Arguments_over_the_limit_are_refused_as_too_large_naming_the_limit_not_blamed_on_the_module()
    {
        Assert.SkipWhen(ModuleProcess.FindPython() is null, "python3 is not on the PATH");
        var script = ScriptModules.WriteProbe(Path.Combine(_dir.Path, "probe.py"), "probe");
        using var control = Control();
        var request = new RemoteModuleLoad { Path = script, Arguments = [new string('x', 100_000)] }; // more than a welcome frame's header can carry

        var error = await Assert.ThrowsAsync<SkeinException>(() => control.LoadAsync(request, TestPatience.Ceiling, Ct));

        Assert.IsNotType<ModuleStartFailedException>(error);
        Assert.Contains("the module's arguments are too large: 100004 bytes as JSON, over the limit of 16 KiB (16384 bytes)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("protocol", error.Message, StringComparison.Ordinal);
        Assert.Empty(await control.ListAsync(Ct));
    }
}
