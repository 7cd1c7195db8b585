namespace Skein.Cluster.Hosting;

/// <summary>A service the application's node hosts: added with <c>AddSkeinService</c>, hosted when the node starts.</summary>
internal sealed record SkeinServiceRegistration(Type Contract, Type Implementation);
