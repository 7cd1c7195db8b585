// Calls the example services of a running cluster and shows each instance mode:
//   skein up --nodes 2 --module examples/services/bin/Debug/net10.0/Skein.Examples.Services.dll [--module examples/modules/stats/stats.py]
//   dotnet run --project examples/client            (in the same directory, or with SKEIN_CLUSTER and SKEIN_TOKEN set)
using Skein;
using Skein.Cluster.Client;
using Skein.Examples.Services;

try
{
    await using var client = await SkeinClient.ConnectAsync(args.Length > 0 ? args[0] : null);

    // Per-connection: each proxy has its own server object, so each counts its own calls.
    await using (var first = await client.GetServiceAsync<IEcho>())
    await using (var second = await client.GetServiceAsync<IEcho>())
    {
        Console.WriteLine($"echo: {await first.EchoAsync("hello")}");
        await first.EchoAsync("again");
        Console.WriteLine($"per-connection: the first proxy's object served {await first.CallsAsync()} calls, the second's {await second.CallsAsync()}");
        await foreach (var line in first.RepeatAsync("stream", 3)) Console.WriteLine($"streamed: {line}");
    }

    // Singleton: two clients, one shared object — each sees the other's increments.
    await using (var other = await SkeinClient.ConnectAsync(args.Length > 0 ? args[0] : null))
    {
        var mine = await client.GetServiceAsync<ICounter>();
        var theirs = await other.GetServiceAsync<ICounter>();
        var before = await mine.GetAsync();
        await mine.IncrementAsync();
        await theirs.IncrementAsync();
        Console.WriteLine($"singleton: two clients incremented once each; the count went from {before} to {await mine.GetAsync()}");
    }

    // Pooled: calls spread over every node hosting the worker.
    var worker = await client.GetServiceAsync<IWorker>();
    var done = await Task.WhenAll(Enumerable.Range(1, 20).Select(i => worker.ProcessAsync($"item-{i}")));
    foreach (var group in done.GroupBy(d => d.Node).OrderBy(g => g.Key))
        Console.WriteLine($"pooled: node {group.Key} did {group.Count()} of {done.Length} items");

    // Cross-language: the Python stats module (examples/modules/stats), if a node hosts it, through a C# contract.
    try
    {
        var stats = await client.GetServiceAsync<IStats>();
        Console.WriteLine($"python stats: mean of 1..4 is {await stats.MeanAsync([1, 2, 3, 4])}");
    }
    catch (RemoteException ex) when (ex.Kind == RemoteErrorKind.ServiceNotFound)
    {
        Console.WriteLine("python stats: not hosted (add --module examples/modules/stats/stats.py to skein up)");
    }

    // Failures are data.
    try
    {
        await client.GetServiceAsync<IMissing>();
    }
    catch (RemoteException ex)
    {
        Console.WriteLine($"error as data: {ex.Kind}, retriable: {ex.IsRetriable}: {ex.Message}");
    }
    return 0;
}
catch (SkeinException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 1;
}

/// <summary>The C# view of the Python stats service: method names are its wire names (Mean, Median…).</summary>
[Service("stats")]
internal interface IStats
{
    Task<double> MeanAsync(double[] values);
}

[Service("missing")]
internal interface IMissing
{
    Task PingAsync();
}
