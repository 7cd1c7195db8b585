using Skein.Modules;
using Skein.Modules.Lifecycle;
using Skein.Cluster.NodeControl;
using Skein.Cluster.Services.Client;
using Skein.Cluster.Client;
using Skein.Cluster.Configuration;
using Skein.Cluster.Services;
using ServiceHost = Skein.Cluster.Services.Hosting.ServiceHost;

namespace Skein.Cluster.Tests.Modules;

/// <summary>
/// The module allowlist of a real node checks where a path really leads: symbolic links inside an allowed directory
/// that lead out of it are refused, at load and when a module process restarts.
/// </summary>
public sealed class ModulePathLinkTests : IAsyncLifetime
{
    private const string Token = "test-token-links";
    private readonly TempDirectory _allowed = new();
    private readonly TempDirectory _outside = new();
    private ServiceHost _host = null!;
    private NodeHost _node = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Evil => Path.Combine(_outside.Path, "evil.py");

    public async ValueTask InitializeAsync()
    {
        ScriptModules.WriteProbe(Evil, "evil");
        _host = new ServiceHost("node-l");
        _node = await NodeHost.StartAsync(_host, Token, cancellationToken: Ct, modulePaths: new ModulePaths([_allowed.Path], allowAnyPath: false));
    }

    public async ValueTask DisposeAsync()
    {
        await _node.DisposeAsync();
        _allowed.Dispose();
        _outside.Dispose();
    }

    private ModuleControl Control() => new("node-l", $"127.0.0.1:{_node.Address.Port}", Token);

    [Fact]
    public async Task A_symlinked_file_leading_out_of_the_module_directory_is_refused_naming_where_it_leads()
    {
        Assert.SkipWhen(ModuleProcess.FindPython() is null, "python3 is not on the PATH");
        var link = Path.Combine(_allowed.Path, "link.py");
        File.CreateSymbolicLink(link, Evil);
        using var control = Control();

        var error = await Assert.ThrowsAsync<SkeinException>(() => control.LoadAsync(link, null, null, TestPatience.Ceiling, Ct));

        Assert.Contains($"refuses to load {link}, which really is {Evil}", error.Message, StringComparison.Ordinal);
        Assert.Empty(await control.ListAsync(Ct));
    }

    [Fact]
    public async Task A_file_under_a_symlinked_directory_leading_out_is_refused_naming_where_it_leads()
    {
        Assert.SkipWhen(ModuleProcess.FindPython() is null, "python3 is not on the PATH");
        var folder = Path.Combine(_allowed.Path, "shared");
        Directory.CreateSymbolicLink(folder, _outside.Path);
        using var control = Control();

        var error = await Assert.ThrowsAsync<SkeinException>(() => control.LoadAsync(Path.Combine(folder, "evil.py"), null, null, TestPatience.Ceiling, Ct));

        Assert.Contains($"refuses to load {Path.Combine(folder, "evil.py")}, which really is {Evil}", error.Message, StringComparison.Ordinal);
        Assert.Empty(await control.ListAsync(Ct));
    }

    [Fact]
    public async Task A_module_yaml_entry_that_is_a_symlink_leading_out_is_refused()
    {
        Assert.SkipWhen(ModuleProcess.FindPython() is null, "python3 is not on the PATH");
        var folder = Directory.CreateDirectory(Path.Combine(_allowed.Path, "sneaky")).FullName;
        var entry = Path.Combine(folder, "sneaky.py");
        File.CreateSymbolicLink(entry, Evil);
        await File.WriteAllTextAsync(Path.Combine(folder, "module.yaml"), "name: sneaky\nentry: sneaky.py\n", Ct);
        using var control = Control();

        var error = await Assert.ThrowsAsync<SkeinException>(() => control.LoadAsync(folder, null, null, TestPatience.Ceiling, Ct));

        Assert.Contains($"refuses to load {entry}, which really is {Evil}", error.Message, StringComparison.Ordinal);
        Assert.Empty(await control.ListAsync(Ct));
    }

    [Fact]
    public async Task A_module_file_swapped_for_a_symlink_leading_out_is_caught_when_the_module_restarts()
    {
        Assert.SkipWhen(ModuleProcess.FindPython() is null, "python3 is not on the PATH");
        var script = ScriptModules.WriteProbe(Path.Combine(_allowed.Path, "swapped.py"), "swapped");
        var events = new StateEvents(_host);
        using var control = Control();
        await control.LoadAsync(script, null, null, TestPatience.Ceiling, Ct);
        var routes = new StaticRoutes(_host.Describe().Select(s => new ServiceLocation("n-1", "node-l", $"127.0.0.1:{_node.Address.Port}", s)));
        await using var client = new SkeinClient(routes, Token, new SkeinClientOptions(), null);
        File.Delete(script);
        File.CreateSymbolicLink(script, Evil);

        await Assert.ThrowsAsync<RemoteException>(() => TestModules.CallJsonAsync(client, "swapped", "crash", "[]", Ct));

        // The crash is a failure with a restart to come; the restart itself fails at the allowlist, naming the link.
        ModuleStateEvent refused;
        do refused = await events.WaitForAsync("swapped", "failed");
        while (refused.Reason?.Contains("refuses", StringComparison.Ordinal) != true);
        Assert.Contains($"refuses to load {script}, which really is {Evil}", refused.Reason, StringComparison.Ordinal);
    }
}
