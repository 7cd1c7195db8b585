namespace Skein.Modules.Process;

/// <summary>A module wrote frames it was not asked for faster than its budget; the node stops it.</summary>
internal sealed class ModuleFloodedException(string message) : Exception(message);
