namespace Skein.Cluster.Services;

/// <summary>A node offered a service list the registry cannot route by: a service without a name, or one name twice.</summary>
public sealed class InvalidServiceListException(string message) : SkeinException(message);
