namespace Greeter;

/// <summary>A result of the module's own type, so that unloading is tested with codecs that have met such a type.</summary>
public sealed record Greeting(string Text, string Library);
