using Skein.Engine;

namespace Skein.Cli.Suites;

/// <summary>
/// Turns a selection into one engine job: each experiment a command task with its needs, claims, timeout, retries
/// and placement, started in its suite's directory with the run's environment.
/// </summary>
internal static class TestJobCompiler
{
    /// <summary>What each experiment is told about itself, besides the cluster and the parameters.</summary>
    public const string ExperimentVariable = "SKEIN_EXPERIMENT";
    public const string SuiteVariable = "SKEIN_SUITE";
    public const string SuiteDirectoryVariable = "SKEIN_SUITE_DIR";
    public const string ScratchVariable = "SKEIN_SCRATCH";
    public const string ConfigVariable = "SKEIN_TEST_CONFIG";

    /// <summary>The name a client of the experiment arrives at barriers under (Skein's clients and the Python helper read it).</summary>
    public const string ParticipantVariable = "SKEIN_PARTICIPANT";

    /// <summary>This skein's executable, for scripts that call <c>skein barrier</c> and friends whether or not skein is on PATH.</summary>
    public const string CliVariable = "SKEIN_CLI";

    /// <param name="environment">The cluster's address (or state directory) and token: what every experiment gets.</param>
    /// <param name="scratchRoot">Where each experiment gets a directory of its own, kept between runs.</param>
    public static Job Compile(TestSelection selection, IReadOnlyDictionary<string, string> environment, string scratchRoot)
    {
        var config = selection.Config;
        var job = new Job(config.Name) { SourceFile = config.File };
        foreach (var experiment in selection.ToRun)
        {
            var variables = new Dictionary<string, string>(environment, StringComparer.Ordinal);
            foreach (var (name, value) in config.Parameters) variables[name.Value] = value.Value;
            variables[ExperimentVariable] = experiment.Id;
            variables[SuiteVariable] = experiment.Suite.Id;
            variables[SuiteDirectoryVariable] = experiment.Suite.Directory;
            variables[ScratchVariable] = ScratchDirectory(scratchRoot, experiment);
            variables[ConfigVariable] = config.File;
            variables[ParticipantVariable] = experiment.Id;
            if (SelfExecutable() is { } cli) variables[CliVariable] = cli;
            if (config.Parameters.Count > 0)
                variables[Commands.RunExperimentCommand.ParametersVariable] = string.Join(",", config.Parameters.Select(p => p.Name.Value));
            job.Add(new TaskSpec
            {
                Id = experiment.Id,
                Action = new CommandAction(new CommandSpec
                {
                    Command = ScriptCommand.ToShell(experiment.Command),
                    WorkingDirectory = experiment.Suite.Directory,
                    Environment = variables,
                }),
                Needs = experiment.Needs,
                Claims = experiment.Claims,
                Timeout = experiment.Timeout ?? config.Timeout,
                Retries = experiment.Retries ?? config.Retries ?? 0,
                Placement = experiment.Placement,
                // The suite's directory is where the script is: a node runs it there, as it is.
                WorkdirIsExplicit = true,
                // The script's content (a C# experiment's assembly) is part of the definition: --resume runs an edited experiment again.
                Version = ContentVersion(experiment.Script),
            });
        }
        return job;
    }

    /// <summary>The skein apphost that is running (or the one beside skein.dll when run as 'dotnet skein.dll'); null when there is none.</summary>
    private static string? SelfExecutable()
    {
        var (file, prefix) = Commands.UpCommand.SelfCommand();
        if (prefix.Length == 0) return file;
        var beside = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "skein.exe" : "skein");
        return File.Exists(beside) ? beside : null;
    }

    private static string? ContentVersion(string script)
    {
        try
        {
            using var stream = File.OpenRead(script);
            return "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream).AsSpan(0, 12));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // it cannot run either, and says so when it tries
        }
    }

    /// <summary>The experiment's scratch directory: the same path every run, so that --resume sees an unchanged task.</summary>
    public static string ScratchDirectory(string scratchRoot, Experiment experiment) =>
        Path.Combine(scratchRoot, experiment.Suite.Id.Replace('/', Path.DirectorySeparatorChar), experiment.Name);
}
