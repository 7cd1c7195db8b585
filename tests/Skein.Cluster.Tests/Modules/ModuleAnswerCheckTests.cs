using Skein.Modules;
using Skein.Cluster.NodeControl;
using Skein.Cluster.Services.Client;
using Skein.Cluster.Client;
using Skein.Cluster.Configuration;
using Skein.Cluster.Services;
using ServiceHost = Skein.Cluster.Services.Hosting.ServiceHost;

namespace Skein.Cluster.Tests.Modules;

/// <summary>
/// A module process whose answers break what its hello declared, on a real node: the call fails naming the module and
/// the method, nothing of the bad answer reaches the caller, and the module is stopped and restarted.
/// </summary>
public sealed class ModuleAnswerCheckTests
{
    private const string Token = "test-token-answers";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // The protocol by hand, without the helper: Stray sends a stream item although it does not stream, Garbage answers
    // with a result that is not JSON, Pid answers properly.
    private const string Liar = """
        import json, os, struct, sys
        out = sys.stdout.buffer
        inp = sys.stdin.buffer

        def read_exact(count):
            data = b""
            while len(data) < count:
                chunk = inp.read(count - len(data))
                if not chunk:
                    sys.exit(0)
                data += chunk
            return data

        def read_frame():
            header = json.loads(read_exact(struct.unpack(">I", read_exact(4))[0]))
            return header, read_exact(struct.unpack(">I", read_exact(4))[0])

        def write_frame(header, payload=b""):
            encoded = json.dumps(header).encode()
            out.write(struct.pack(">I", len(encoded)) + encoded + struct.pack(">I", len(payload)) + payload)
            out.flush()

        out.write(b"SKEINMOD\x01")
        out.flush()
        read_exact(9)
        read_frame()
        write_frame({"kind": "hello", "services": [{"name": "liar", "mode": "singleton", "methods": [
            {"name": "Stray", "parameters": [], "streaming": False},
            {"name": "Garbage", "parameters": [], "streaming": False},
            {"name": "Pid", "parameters": [], "streaming": False}]}]})
        while True:
            header, payload = read_frame()
            if header["kind"] == "shutdown":
                sys.exit(0)
            if header["kind"] != "request":
                continue
            conversation, method = header["conversation"], header["method"]
            if method == "Stray":
                write_frame({"kind": "stream_item", "conversation": conversation, "sequence": 1}, b'"stray"')
                write_frame({"kind": "response", "conversation": conversation, "status": "ok"}, b'"result"')
            elif method == "Garbage":
                write_frame({"kind": "response", "conversation": conversation, "status": "ok"}, b'{not json')
            else:
                write_frame({"kind": "response", "conversation": conversation, "status": "ok"}, str(os.getpid()).encode())
        """;

    [Fact]
    public async Task A_stream_item_for_a_unary_method_or_a_result_that_is_not_JSON_fails_the_call_naming_module_and_method()
    {
        Assert.SkipWhen(ModuleProcess.FindPython() is null, "python3 is not on the PATH");
        using var dir = new TempDirectory();
        var script = Path.Combine(dir.Path, "liar.py");
        await File.WriteAllTextAsync(script, Liar, Ct);
        var host = new ServiceHost("node-a");
        await using var node = await NodeHost.StartAsync(host, Token, cancellationToken: Ct, modulePaths: new ModulePaths([dir.Path], allowAnyPath: false));
        using var control = new ModuleControl("node-a", $"127.0.0.1:{node.Address.Port}", Token);
        await control.LoadAsync(script, null, null, TestPatience.Ceiling, Ct);
        var module = (Skein.Modules.Process.ProcessLoadedModule)host.Modules.Single();
        var routes = new StaticRoutes(host.Describe().Select(s => new ServiceLocation("n-1", "node-a", $"127.0.0.1:{node.Address.Port}", s)));
        await using var client = new SkeinClient(routes, Token, new SkeinClientOptions(), null);
        var first = await TestModules.CallJsonAsync(client, "liar", "Pid", "[]", Ct);

        var stray = await Assert.ThrowsAsync<RemoteException>(() => TestModules.CallJsonAsync(client, "liar", "Stray", "[]", Ct));

        Assert.Equal(RemoteErrorKind.Internal, stray.Kind);
        Assert.Contains("module liar broke the stdio protocol", stray.Message, StringComparison.Ordinal);
        Assert.Contains("stream item for liar.Stray", stray.Message, StringComparison.Ordinal);
        // Stopped for it, and restarted: once the node has seen it go, the next call is answered by a new process.
        await ScriptModules.WaitUntilAsync(() => module.Process?.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) != first, "the module being stopped");
        var second = await TestModules.CallJsonAsync(client, "liar", "Pid", "[]", Ct);
        Assert.NotEqual(first, second);

        var garbage = await Assert.ThrowsAsync<RemoteException>(() => TestModules.CallJsonAsync(client, "liar", "Garbage", "[]", Ct));

        Assert.Equal(RemoteErrorKind.Internal, garbage.Kind);
        Assert.Contains("module liar broke the stdio protocol", garbage.Message, StringComparison.Ordinal);
        Assert.Contains("answered liar.Garbage with a result that is not valid JSON", garbage.Message, StringComparison.Ordinal);
        await ScriptModules.WaitUntilAsync(() => module.Process?.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) != second, "the module being stopped");
        Assert.NotEqual(second, await TestModules.CallJsonAsync(client, "liar", "Pid", "[]", Ct));
    }
}
