namespace Skein.Cluster.Services;

/// <summary>A service as a node offers it: its name, how it serves, and its methods.</summary>
/// <remarks>Compared by value, methods included: a node that sends the same list again changes nothing.</remarks>
public sealed record ServiceDescription
{
    public required string Name { get; init; }

    public InstanceMode Mode { get; init; }

    /// <summary>The most concurrent proxies per node; 0 means no limit.</summary>
    public int Capacity { get; init; }

    /// <summary>The contract's full .NET type name (informational); empty when unknown.</summary>
    public string Contract { get; init; } = "";

    public IReadOnlyList<ServiceMethodDescription> Methods { get; init; } = [];

    public bool Equals(ServiceDescription? other) =>
        other is not null && Name == other.Name && Mode == other.Mode && Capacity == other.Capacity && Contract == other.Contract
        && Methods.SequenceEqual(other.Methods);

    public override int GetHashCode() => HashCode.Combine(Name, Mode, Capacity, Contract, Methods.Count);
}

/// <summary>One method of a <see cref="ServiceDescription"/>.</summary>
public sealed record ServiceMethodDescription
{
    /// <summary>The wire name, e.g. "Echo" for EchoAsync.</summary>
    public required string Name { get; init; }

    /// <summary>Parameter type names, in order (the CancellationToken is not one of them).</summary>
    public IReadOnlyList<string> Parameters { get; init; } = [];

    /// <summary>The result type name (empty for none); for a streaming method, the item type.</summary>
    public string Result { get; init; } = "";

    public bool Streaming { get; init; }

    public bool Equals(ServiceMethodDescription? other) =>
        other is not null && Name == other.Name && Result == other.Result && Streaming == other.Streaming
        && Parameters.SequenceEqual(other.Parameters, StringComparer.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Name, Result, Streaming, Parameters.Count);
}
