using System.CommandLine;

namespace Skein.Cli;

/// <summary>Options several commands share, so they read and behave the same everywhere.</summary>
internal static class CommonOptions
{
    public const string StateVariable = "SKEIN_STATE";

    public static Option<string> State() => new("--state")
    {
        Description = $"State directory holding the journal, task logs and the cluster token (default: ${StateVariable} or .skein).",
        HelpName = "DIR",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(StateVariable) is { Length: > 0 } fromEnv ? fromEnv : ".skein",
    };

    public static Option<string[]> Only(string description) => new("--only")
    {
        Description = description,
        HelpName = "ID",
        AllowMultipleArgumentsPerToken = true,
        Arity = ArgumentArity.OneOrMore,
    };
}
