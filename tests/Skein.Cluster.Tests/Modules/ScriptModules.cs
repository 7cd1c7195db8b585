namespace Skein.Cluster.Tests.Modules;

/// <summary>Small Python modules written for one test, and a look at processes through /proc.</summary>
internal static class ScriptModules
{
    private static readonly TimeSpan Wait = TestPatience.Ceiling;

    // A module of the Python helper's: Pid answers its process id, Crash ends it with exit code 3.
    private const string Probe = """
        import os, sys
        sys.path.insert(0, SDK)
        from skein_module import Module, method, service

        @service(SERVICE)
        class Probe:
            @method
            def pid(self) -> int:
                return os.getpid()

            @method
            def crash(self) -> None:
                os._exit(3)

        if __name__ == "__main__":
            Module(Probe).run()
        """;

    /// <summary>Writes the probe module to <paramref name="path"/>, serving <paramref name="service"/>; returns the path.</summary>
    public static string WriteProbe(string path, string service, string prelude = "")
    {
        var sdk = System.Text.Json.JsonSerializer.Serialize(Path.Combine(ModuleProcess.RepositoryRoot(), "sdk", "python")); // a JSON string is a Python one
        var text = Probe.Replace("SDK", sdk, StringComparison.Ordinal).Replace("SERVICE", $"\"{service}\"", StringComparison.Ordinal);
        File.WriteAllText(path, prelude + text);
        return path;
    }

    /// <summary>True while process <paramref name="pid"/> runs <paramref name="command"/> (a zombie or another program does not count).</summary>
    public static bool IsRunning(int pid, string command)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return state != 'Z' && File.ReadAllText($"/proc/{pid}/comm").Trim() == command;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false; // gone
        }
    }

    /// <summary>Waits (at most a minute) until <paramref name="condition"/> holds.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow + Wait;
        while (!condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"{what} did not happen within {Wait.TotalSeconds:0} s");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}
