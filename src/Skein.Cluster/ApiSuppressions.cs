using System.Diagnostics.CodeAnalysis;

// RS0026 keeps a new public method from adding a second overload with optional parameters. These overloads shipped
// before their type moved to its namespace; the move lists them as new, but they are not new overloads.
[assembly: SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
    Scope = "type", Target = "~T:Skein.Cluster.Client.SkeinClient", Justification = "Shipped overloads; only the namespace changed.")]
