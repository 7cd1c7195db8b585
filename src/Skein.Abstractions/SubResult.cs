namespace Skein;

/// <summary>One named result a task reports under its overall outcome (a test case inside a suite, a check inside a task).</summary>
public sealed record SubResult(string Name, Outcome Outcome, string? Message = null);
