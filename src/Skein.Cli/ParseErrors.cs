using System.CommandLine;
using System.CommandLine.Parsing;
using Skein.Yaml;

namespace Skein.Cli;

/// <summary>
/// Prints what was wrong with the command line: an unknown command or option by name with the nearest known one
/// ("did you mean"), then the parser's other complaints, each line starting "skein: ".
/// </summary>
internal static class ParseErrors
{
    public static void Print(ParseResult parsed, TextWriter error)
    {
        var command = parsed.CommandResult.Command;
        var unknown = UnknownTokens(parsed);
        var suggested = false;
        foreach (var token in Reported(parsed, unknown))
        {
            var (message, suggestion) = Describe(token, command);
            error.WriteLine($"skein: {message}");
            suggested |= suggestion;
        }
        foreach (var e in parsed.Errors)
        {
            // The parser's own words for the tokens named above, and "required command was not provided" when the
            // command was the one misspelt, only repeat the line printed already.
            if (unknown.Exists(token => e.Message.Contains($"'{token}'", StringComparison.Ordinal))) continue;
            if (unknown.Count > 0 && e.SymbolResult == parsed.CommandResult && command.Subcommands.Count > 0) continue;
            error.WriteLine($"skein: {e.Message}");
        }
        if (!suggested) error.WriteLine($"skein: see '{string.Join(' ', CommandPath(command))} --help' for usage");
    }

    /// <summary>
    /// The unknown tokens worth a line, in order: an unknown option's, not the arguments after it or after an unknown
    /// command — they were read one place off because of the typo, and fixing it fixes them.
    /// </summary>
    private static List<string> Reported(ParseResult parsed, List<string> unknown)
    {
        var reported = new List<string>();
        var afterTypo = false;
        foreach (var token in parsed.Tokens.Select(t => t.Value).Concat(unknown).Distinct())
        {
            if (!unknown.Contains(token)) continue;
            if (LooksLikeOption(token))
            {
                reported.Add(token);
                afterTypo = true;
                continue;
            }
            if (!afterTypo) reported.Add(token);
            afterTypo |= parsed.CommandResult.Command.Subcommands.Count > 0;
        }
        return reported;
    }

    /// <summary>
    /// The tokens the parser could not place, and those it took as an argument that look like a misspelt option
    /// ("skein run --tiemout 5s job.yaml" would otherwise read "--tiemout" as the job file).
    /// </summary>
    private static List<string> UnknownTokens(ParseResult parsed)
    {
        var unknown = new List<string>(parsed.UnmatchedTokens);
        Token? previous = null;
        foreach (var token in parsed.Tokens)
        {
            if (token.Type == TokenType.DoubleDash) break;
            if (token.Type == TokenType.Argument && previous?.Type != TokenType.Option && IsLongOption(token.Value) && !unknown.Contains(token.Value))
                unknown.Add(token.Value);
            previous = token;
        }
        return unknown;
    }

    /// <summary>The unknown tokens worth reporting even when the parser was content: "--" and a letter is no job file or run id.</summary>
    public static bool HasUnknownOptions(ParseResult parsed) => UnknownTokens(parsed).Exists(IsLongOption);

    private static bool IsLongOption(string text) => text.Length > 2 && text.StartsWith("--", StringComparison.Ordinal) && char.IsAsciiLetter(text[2]);

    private static bool LooksLikeOption(string text) =>
        text.Length >= 2 && text[0] == '-' && (char.IsAsciiLetter(text[1]) || (text[1] == '-' && text.Length > 2 && char.IsAsciiLetter(text[2])));

    private static (string Message, bool Suggested) Describe(string token, Command command)
    {
        if (LooksLikeOption(token))
        {
            var option = KeySuggestion.Closest(token, OptionNames(command));
            return option is null ? ($"unknown option '{token}'", false) : ($"unknown option '{token}' — did you mean '{option}'?", true);
        }
        if (command.Subcommands.Count > 0)
        {
            var names = command.Subcommands.Where(c => !c.Hidden).SelectMany(c => c.Aliases.Prepend(c.Name)).ToList();
            var name = KeySuggestion.Closest(token, names);
            return name is null ? ($"unknown command '{token}'", false) : ($"unknown command '{token}' — did you mean '{name}'?", true);
        }
        return ($"unexpected argument '{token}'", false);
    }

    /// <summary>The command's own options and the ones it inherits (--help), every alias of each.</summary>
    private static List<string> OptionNames(Command command)
    {
        var names = new List<string>();
        foreach (var option in command.Options) AddNames(option, names);
        foreach (var parent in Ancestors(command))
        {
            foreach (var option in parent.Options.Where(o => o.Recursive)) AddNames(option, names);
        }
        return names;
    }

    private static void AddNames(Option option, List<string> names)
    {
        if (option.Hidden) return;
        names.Add(option.Name);
        names.AddRange(option.Aliases);
    }

    private static IEnumerable<Command> Ancestors(Command command)
    {
        for (var parent = command.Parents.OfType<Command>().FirstOrDefault(); parent is not null; parent = parent.Parents.OfType<Command>().FirstOrDefault())
            yield return parent;
    }

    /// <summary>"skein", "skein run", "skein module load": how the user would ask for this command's help.</summary>
    internal static IEnumerable<string> CommandPath(Command command) =>
        Ancestors(command).Reverse().Select(c => c is RootCommand ? "skein" : c.Name)
            .Append(command is RootCommand ? "skein" : command.Name);
}
