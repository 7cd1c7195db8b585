using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Skein.Cli;

/// <summary>
/// Help for a subcommand of a command that takes an argument of its own — <c>skein test history</c> under
/// <c>skein test CONFIG</c>: the default help shows its usage as <c>skein test &lt;CONFIG&gt; history</c> and lists
/// CONFIG among its arguments, though the subcommand takes no CONFIG. This help is the default one without them.
/// </summary>
internal static class SubcommandHelp
{
    public static void Apply(Command command) => command.Options.Add(new HelpOption { Action = new WithoutParentArguments(command) });

    private sealed class WithoutParentArguments(Command command) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var configuration = parseResult.InvocationConfiguration;
            var output = configuration.Output;
            using var rendered = new StringWriter();
            configuration.Output = rendered;
            try
            {
                new HelpAction().Invoke(parseResult);
            }
            finally
            {
                configuration.Output = output;
            }
            output.Write(Without(rendered.ToString(), ParentArguments()));
            return 0;
        }

        private List<Argument> ParentArguments()
        {
            var arguments = new List<Argument>();
            for (var parent = command.Parents.OfType<Command>().FirstOrDefault(); parent is not null; parent = parent.Parents.OfType<Command>().FirstOrDefault())
                arguments.AddRange(parent.Arguments);
            return arguments;
        }

        private static string Without(string help, List<Argument> arguments)
        {
            var lines = help.Split('\n').ToList();
            foreach (var argument in arguments)
            {
                var label = $"<{argument.Name}>";
                for (var i = 0; i < lines.Count; i++)
                {
                    if (lines[i].StartsWith("  skein ", StringComparison.Ordinal)) lines[i] = lines[i].Replace(" " + label, "", StringComparison.Ordinal);
                }
                // Its row under "Arguments:" (and any wrapped continuation of its description).
                var row = lines.FindIndex(l => l.StartsWith("  " + label + " ", StringComparison.Ordinal));
                if (row < 0) continue;
                lines.RemoveAt(row);
                while (row < lines.Count && lines[row].StartsWith("    ", StringComparison.Ordinal) && lines[row].TrimStart().Length > 0) lines.RemoveAt(row);
            }
            return string.Join('\n', lines);
        }
    }
}
