// A Skein node hosted in an application's own generic host (docs/hosting.md):
//   skein coordinator &                              (or: skein up --nodes 0)
//   dotnet run --project examples/hosting            (in the same directory: it finds the coordinator by its connection file)
// The node joins, hosts IGreeter (made by the container), calls it once through its own client, and stays until Ctrl+C.
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Skein;
using Skein.Cluster.Addressing;
using Skein.Cluster.Client;
using Skein.Examples.Hosting;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddSingleton(new GreeterSettings("hello"));
// Options come from the configuration section Skein:Node (appsettings.json, environment, command line), then from here.
builder.Services.AddSkeinNode(node =>
{
    var state = ClusterLocator.DefaultStateDirectory;
    if (node.Join.Length == 0) node.Join = ClusterLocator.ResolveAddress(null, state).ToString();
    if (node.Token.Length == 0) node.Token = ClusterLocator.ResolveToken(null, state);
    node.Name = "hosting-example";
});
builder.Services.AddSkeinService<IGreeter, Greeter>();

using var host = builder.Build();
try
{
    await host.StartAsync(); // returns once the node has joined
}
catch (SkeinException ex)
{
    Console.Error.WriteLine($"hosting example: {ex.Message}");
    return 1;
}

var client = host.Services.GetRequiredService<SkeinClient>(); // the node's own client
await using (var greeter = await client.GetServiceAsync<IGreeter>())
    Console.WriteLine(await greeter.GreetAsync("world"));

await host.WaitForShutdownAsync();
return 0;
