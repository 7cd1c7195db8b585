using Skein.Engine.Templates;
using Skein.Yaml;

using static Skein.Engine.JobFiles.JobFileKeys;

namespace Skein.Engine.JobFiles;

/// <summary>Builds the <see cref="TaskSpec"/> of one copy of a template: placeholders filled in, defaults applied.</summary>
internal sealed class TaskBuilder(JobDefaults defaults, string baseDirectory, ProblemCollector problems)
{
    /// <summary>The task's spec. A template without a usable 'run' (already reported) gets an empty command.</summary>
    public TaskSpec Build(TaskTemplate task, IReadOnlyDictionary<string, string> values)
    {
        string Fill(Located<string> text) => Placeholders.Substitute(text.Value, values);

        List<string> FillAll(List<Located<string>> texts)
        {
            var filled = new List<string>(texts.Count);
            foreach (var text in texts) filled.Add(Fill(text));
            return filled;
        }

        var workdir = task.Workdir ?? defaults.Workdir;
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        // Defaults first, so the task's own value for a name replaces the default's.
        foreach (var (name, value) in defaults.Env) environment[name.Value] = Fill(value);
        foreach (var (name, value) in task.Env) environment[name.Value] = Fill(value);

        var warnExitCodes = new List<int>(task.WarnExitCodes.Count);
        foreach (var code in task.WarnExitCodes) warnExitCodes.Add(code.Value);

        var action = new CommandAction(new CommandSpec
        {
            Command = task.Run is { } run ? FillCommand(task, run, values) : string.Empty,
            WorkingDirectory = Path.GetFullPath(Path.Combine(baseDirectory, workdir is { } dir ? Fill(dir) : ".")),
            Environment = environment,
            WarnExitCodes = warnExitCodes,
            KillGrace = (task.KillGrace ?? defaults.KillGrace)?.Value ?? CommandSpec.DefaultKillGrace,
        });

        return new TaskSpec
        {
            Id = Fill(task.Id),
            Action = action,
            Needs = FillAll(task.Needs),
            Provides = FillAll(task.Provides),
            Claims = FillAll(task.Claims),
            Uses = FillAll(task.Uses),
            Priority = task.Priority?.Value ?? 0,
            Timeout = (task.Timeout ?? defaults.Timeout)?.Value,
            Retries = (task.Retries ?? defaults.Retries)?.Value ?? 0,
            RetryDelay = (task.RetryDelay ?? defaults.RetryDelay)?.Value ?? TimeSpan.Zero,
            RetryBackoff = (task.RetryBackoff ?? defaults.RetryBackoff)?.Value ?? RetryBackoff.Exponential,
            Group = task.Group is { } group ? Fill(group) : null,
            Version = task.Version is { } version ? Fill(version) : null,
            Source = Source(task),
        };
    }

    /// <summary>The command with its values shell-quoted; a placeholder that cannot be is an error where 'run' is written.</summary>
    private string FillCommand(TaskTemplate task, Located<string> run, IReadOnlyDictionary<string, string> values)
    {
        if (values.Count == 0) return run.Value;
        var unsafePlaces = new List<string>();
        var command = Placeholders.SubstituteCommand(run.Value, values, unsafePlaces);
        foreach (var message in unsafePlaces) problems.Error($"{message} ('run' {task.Where})", run.Location);
        return command;
    }

    /// <summary>
    /// Where the task and its keys are. Keys point at the key as written (an inherited default at the default);
    /// list entries, as "needs[0]", at the entry; env variables, as "env.NAME", at the variable's name.
    /// </summary>
    private TaskSource Source(TaskTemplate task)
    {
        var source = new TaskSource(task.Id.Location);
        foreach (var (key, location) in defaults.KeyLocations) source.Set(key, location);
        foreach (var (key, location) in task.KeyLocations) source.Set(key, location);

        SetEntries(source, Needs, task.Needs);
        SetEntries(source, Provides, task.Provides);
        SetEntries(source, Claims, task.Claims);
        SetEntries(source, Uses, task.Uses);
        for (var i = 0; i < task.WarnExitCodes.Count; i++) source.Set($"{WarnExitCodes}[{i}]", task.WarnExitCodes[i].Location);
        foreach (var (name, _) in defaults.Env) source.Set($"{Env}.{name.Value}", name.Location);
        foreach (var (name, _) in task.Env) source.Set($"{Env}.{name.Value}", name.Location);
        return source;
    }

    private static void SetEntries(TaskSource source, string key, List<Located<string>> entries)
    {
        for (var i = 0; i < entries.Count; i++) source.Set($"{key}[{i}]", entries[i].Location);
    }
}
