using System.CommandLine;

namespace Skein.Cli.Tests;

/// <summary>
/// A command line that names a subcommand builds that subcommand alone (start-up); it must parse exactly as the whole
/// tree would, and anything else must still get the whole tree (suggestions, root help).
/// </summary>
public class CommandTreeTests
{
    public static TheoryData<string> SubcommandNames()
    {
        var names = new TheoryData<string>();
        foreach (var command in SkeinCommand.Create().Subcommands) names.Add(command.Name);
        return names;
    }

    [Theory]
    [MemberData(nameof(SubcommandNames))]
    public void A_named_subcommand_is_built_alone_and_the_same_as_in_the_whole_tree(string name)
    {
        var alone = SkeinCommand.CreateFor([name, "--help"]);
        var command = Assert.Single(alone.Subcommands);
        Assert.Equal(name, command.Name);
        var whole = SkeinCommand.Create().Subcommands.Single(c => c.Name == name);
        Assert.Equal(Describe(whole), Describe(command));
        Assert.Equal(Describe(SkeinCommand.Create(), name), Describe(alone, name));
    }

    [Theory]
    [InlineData]
    [InlineData("--version")]
    [InlineData("--help")]
    [InlineData("rn", "job.yaml")]
    [InlineData("RUN", "job.yaml")]
    public void Anything_else_gets_the_whole_tree(params string[] args)
    {
        Assert.Equal(SkeinCommand.Create().Subcommands.Count, SkeinCommand.CreateFor(args).Subcommands.Count);
    }

    [Fact]
    public void A_run_line_parses_to_the_same_values_either_way()
    {
        string[] args = ["run", "job.yaml", "--workers", "3", "--only", "a", "--report", "both", "--dry-run"];
        var alone = SkeinCommand.CreateFor(args).Parse(args);
        var whole = SkeinCommand.Create().Parse(args);
        Assert.Empty(alone.Errors);
        Assert.Equal(Values(whole), Values(alone));
    }

    /// <summary>A command's shape: its options, arguments and subcommands, recursively, by name and description.</summary>
    private static string Describe(Command command, string? only = null)
    {
        var lines = new List<string> { $"{command.Name}: {command.Description}" };
        lines.AddRange(command.Options.Select(o => $"  option {o.Name} [{string.Join(",", o.Aliases)}]: {o.Description}"));
        lines.AddRange(command.Arguments.Select(a => $"  argument {a.Name}: {a.Description}"));
        foreach (var sub in command.Subcommands)
        {
            if (only is null || sub.Name == only) lines.Add(Describe(sub));
        }
        return string.Join('\n', lines);
    }

    private static string Values(ParseResult parse) =>
        string.Join('\n', parse.CommandResult.Children.Select(c => c switch
        {
            System.CommandLine.Parsing.OptionResult o => $"{o.Option.Name}={string.Join(",", o.Tokens.Select(t => t.Value))}",
            System.CommandLine.Parsing.ArgumentResult a => $"{a.Argument.Name}={string.Join(",", a.Tokens.Select(t => t.Value))}",
            _ => c.ToString(),
        }));
}
