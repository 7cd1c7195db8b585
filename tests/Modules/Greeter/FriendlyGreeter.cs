using Skein;
using Shared.Lib;

namespace Greeter;

// A singleton, so that unloading has a shared object to release.
[ServiceInstance(InstanceMode.Singleton)]
public sealed class FriendlyGreeter : IGreeter
{
    public Task<string> GreetAsync(string name, CancellationToken cancellationToken = default) => Task.FromResult($"hello, {name}");

    public Task<string> LibraryVersionAsync(CancellationToken cancellationToken = default) => Task.FromResult(LibraryInfo.Version);

    public Task<Greeting> GreetingAsync(string name, CancellationToken cancellationToken = default) =>
        Task.FromResult(new Greeting($"hello, {name}", LibraryInfo.Version));

    public Task<Greeting> ShoutAsync(Greeting greeting, CancellationToken cancellationToken = default) =>
        Task.FromResult(greeting with { Text = greeting.Text.ToUpperInvariant() });
}
