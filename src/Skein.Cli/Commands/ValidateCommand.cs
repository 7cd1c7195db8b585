using System.CommandLine;

namespace Skein.Cli.Commands;

/// <summary><c>skein validate FILE</c>: report every problem of a job file, or print its plan in layers.</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "The job file (YAML) to check." };
        var only = CommonOptions.Only("Validate only these tasks and everything they need.");
        var command = new Command("validate", "Check a job file and print its plan (the graph in layers) without running anything.") { file, only };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var job = JobLoading.LoadValidated(parse.GetValue(file)!, parse.GetValue(only), parse.InvocationConfiguration.Error, out var plan);
            if (job is null) return ExitCodes.InvalidInput;
            PlanPrinter.Print(job, plan!, output);
            output.WriteLine("valid");
            return ExitCodes.Success;
        });
        return command;
    }
}
