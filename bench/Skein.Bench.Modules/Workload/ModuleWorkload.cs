using System.Diagnostics;
using System.Globalization;
using System.Text;
using Skein.Bench.Modules.Cluster;

namespace Skein.Bench.Modules.Workload;

/// <summary>What the bench loads, and how: the module files and the node's module control.</summary>
internal sealed class ModuleWorkload(BenchCluster cluster, BenchFiles files)
{
    private static readonly TimeSpan ControlTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan RegistryWait = TimeSpan.FromSeconds(10);

    public const string AssemblyName = "asm";
    public const string ProcessName = "stats";

    /// <summary>Loads and unloads each kind once per round, the kinds taking turns so both see the same machine.</summary>
    public async Task<(Samples Load, Samples Unload, Samples ProcessLoad, Samples ProcessUnload)> TimeLoadAndUnloadAsync(int rounds, bool report, CancellationToken ct)
    {
        var (load, unload, processLoad, processUnload) = (new Samples(), new Samples(), new Samples(), new Samples());
        for (var round = 1; round <= rounds; round++)
        {
            await TimeOnceAsync(files.Assembly, AssemblyName, load, unload, ct).ConfigureAwait(false);
            await TimeOnceAsync(files.PythonModule, ProcessName, processLoad, processUnload, ct).ConfigureAwait(false);
            if (report)
            {
                Console.Error.WriteLine(
                    $"round {round}: assembly load {Ms(load.Last)} unload {Ms(unload.Last)}; process load {Ms(processLoad.Last)} unload {Ms(processUnload.Last)}");
            }
        }
        return (load, unload, processLoad, processUnload);
    }

    private async Task TimeOnceAsync(string path, string name, Samples load, Samples unload, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var module = await cluster.Control.LoadAsync(path, name, loader: null, ControlTimeout, ct).ConfigureAwait(false);
        load.Add(clock.Elapsed);
        if (module.State != "active") throw new InvalidOperationException($"module {name} loaded but is {module.State}");
        clock.Restart();
        await cluster.Control.UnloadAsync(name, ControlTimeout, ct).ConfigureAwait(false);
        unload.Add(clock.Elapsed);
    }

    /// <summary>Loads copy <paramref name="index"/> under its own name and calls its counter once, so its code has run.</summary>
    public async Task LoadCopyAndCallAsync(int index, CancellationToken ct)
    {
        var (path, services) = files.Copy(index);
        await cluster.Control.LoadAsync(path, CopyName(index), loader: null, ControlTimeout, ct).ConfigureAwait(false);
        var counter = services.Single(s => s.StartsWith("count", StringComparison.Ordinal));
        await CallWhenRegisteredAsync(counter, "Increment", "[1]", ct).ConfigureAwait(false);
    }

    public Task UnloadCopyAsync(int index, CancellationToken ct) => cluster.Control.UnloadAsync(CopyName(index), ControlTimeout, ct);

    public static string CopyName(int index) => "copy-" + index.ToString("00", CultureInfo.InvariantCulture);

    /// <summary>How many modules the node lists.</summary>
    public async Task<int> CountModulesAsync(CancellationToken ct) => (await cluster.Control.ListAsync(ct).ConfigureAwait(false)).Count;

    // A load returns once the node hosts the module; the coordinator's registry hears of it a moment later, and a
    // client finds the service only then.
    private async Task CallWhenRegisteredAsync(string service, string method, string arguments, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + RegistryWait;
        while (true)
        {
            try
            {
                await foreach (var _ in cluster.Client.CallJsonAsync(service, method, Encoding.UTF8.GetBytes(arguments), ct).ConfigureAwait(false)) { }
                return;
            }
            catch (RemoteException ex) when (ex.Kind == RemoteErrorKind.ServiceNotFound && DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), ct).ConfigureAwait(false);
            }
        }
    }

    private static string Ms(TimeSpan time) => time.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture) + " ms";
}
