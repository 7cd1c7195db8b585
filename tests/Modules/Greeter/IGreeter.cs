using Skein;

namespace Greeter;

[Service("greeter")]
public interface IGreeter
{
    Task<string> GreetAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>The version of Shared.Lib this module was loaded with.</summary>
    Task<string> LibraryVersionAsync(CancellationToken cancellationToken = default);

    Task<Greeting> GreetingAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Takes and returns the module's own type, so both directions of each codec meet it.</summary>
    Task<Greeting> ShoutAsync(Greeting greeting, CancellationToken cancellationToken = default);
}
