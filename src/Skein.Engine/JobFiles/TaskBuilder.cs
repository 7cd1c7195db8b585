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

        ITaskAction action = task.Call is { } call ? CallAction(call, task, Fill) : new CommandAction(new CommandSpec
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
            Resources = task.Cores is null && task.Memory is null
                ? TaskResources.Default
                : new TaskResources { Cores = task.Cores?.Value ?? 1, MemoryBytes = task.Memory?.Value ?? 0 },
            Placement = Placement(task, Fill),
            WorkdirIsExplicit = workdir is not null,
            Artifacts = ArtifactPatterns(task, Fill),
        };
    }

    /// <summary>The artifact globs with placeholders filled in; one a value made invalid is an error where it is written.</summary>
    private List<string> ArtifactPatterns(TaskTemplate task, Func<Located<string>, string> fill)
    {
        var patterns = new List<string>(task.Artifacts.Count);
        foreach (var pattern in task.Artifacts)
        {
            var filled = fill(pattern);
            if (filled != pattern.Value && Skein.Shared.Artifacts.ArtifactGlob.Check(filled) is { } problem)
            {
                problems.Error($"{problem} ('{JobFileKeys.Artifacts}' {task.Where})", pattern.Location);
                continue;
            }
            patterns.Add(filled);
        }
        return patterns;
    }

    private static TaskPlacement? Placement(TaskTemplate task, Func<Located<string>, string> fill)
    {
        if (task.OnLabels.Count == 0 && task.OnNode is null && task.OnHost is null) return null;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in task.OnLabels) labels[name.Value] = fill(value);
        return new TaskPlacement
        {
            Labels = labels,
            Node = task.OnNode is { } node ? fill(node) : null,
            Host = task.OnHost is { } host ? fill(host) : null,
        };
    }

    private static ServiceCallAction CallAction(Located<string> call, TaskTemplate task, Func<Located<string>, string> fill)
    {
        var target = fill(call);
        var dot = target.LastIndexOf('.');
        var service = dot > 0 ? target[..dot] : target;
        var method = dot > 0 && dot < target.Length - 1 ? target[(dot + 1)..] : "?";
        var buffer = new System.IO.MemoryStream();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            if (task.Args is { } args) WriteJson(json, args, task.Id.Location, fill);
            else
            {
                json.WriteStartArray();
                json.WriteEndArray();
            }
        }
        return new ServiceCallAction(service, method, System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>
    /// YAML to JSON: plain numbers, true, false and null stay what they are; every other scalar is a string, its
    /// placeholders filled in.
    /// </summary>
    private static void WriteJson(System.Text.Json.Utf8JsonWriter json, YamlDotNet.RepresentationModel.YamlNode node, SourceLocation at,
        Func<Located<string>, string> fill)
    {
        switch (node)
        {
            case YamlDotNet.RepresentationModel.YamlSequenceNode list:
                json.WriteStartArray();
                foreach (var child in list.Children) WriteJson(json, child, at, fill);
                json.WriteEndArray();
                break;
            case YamlDotNet.RepresentationModel.YamlMappingNode map:
                json.WriteStartObject();
                foreach (var (key, value) in map.Children)
                {
                    json.WritePropertyName(key is YamlDotNet.RepresentationModel.YamlScalarNode { Value: { } name } ? name : "");
                    WriteJson(json, value, at, fill);
                }
                json.WriteEndObject();
                break;
            case YamlDotNet.RepresentationModel.YamlScalarNode scalar:
                var text = scalar.Value ?? "";
                if (scalar.Style == YamlDotNet.Core.ScalarStyle.Plain)
                {
                    if (text is "" or "~" or "null") { json.WriteNullValue(); break; }
                    if (text is "true" or "false") { json.WriteBooleanValue(text == "true"); break; }
                    if (decimal.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _)
                        && !text.StartsWith('+') && !text.Contains('_'))
                    {
                        json.WriteRawValue(text);
                        break;
                    }
                }
                json.WriteStringValue(fill(new Located<string>(text, at)));
                break;
        }
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
