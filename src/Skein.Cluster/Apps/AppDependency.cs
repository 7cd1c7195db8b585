namespace Skein.Cluster.Apps;

/// <summary>One entry of an app's <c>depends-on</c>, with where it is written so an unknown name can be pointed at.</summary>
public sealed record AppDependency(string Name, SourceLocation? Location = null);
