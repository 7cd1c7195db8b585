namespace Skein;

/// <summary>
/// Marks an interface as a Skein service contract. Its methods return <see cref="Task"/>, <see cref="Task{T}"/>,
/// <see cref="ValueTask"/>, <see cref="ValueTask{T}"/> or <see cref="IAsyncEnumerable{T}"/> and may take a
/// <see cref="CancellationToken"/> last. A contract may also extend <see cref="IAsyncDisposable"/> so that
/// <c>await using</c> releases the proxy's server object; that method is never sent over the wire.
/// </summary>
[AttributeUsage(AttributeTargets.Interface, Inherited = false)]
public sealed class ServiceAttribute : Attribute
{
    public ServiceAttribute(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>The name clients ask for and the registry lists, e.g. "echo".</summary>
    public string Name { get; }
}
