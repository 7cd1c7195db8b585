namespace Skein.Modules.Stdio;

/// <summary>One method of a module's service.</summary>
/// <param name="Name">The wire name, e.g. "Mean".</param>
/// <param name="Parameters">The parameters' type names as the module's language writes them; for people and listings, not checked.</param>
/// <param name="Result">The result's type name, or null when the module does not say.</param>
/// <param name="Streaming">True when the method answers with stream items before its response.</param>
public sealed record StdioMethodDescription(string Name, IReadOnlyList<string> Parameters, string? Result = null, bool Streaming = false);
