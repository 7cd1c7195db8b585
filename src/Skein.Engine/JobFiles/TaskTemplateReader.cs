using Skein.Shared.Text;
using Skein.Yaml;
using YamlDotNet.RepresentationModel;
using static Skein.Engine.JobFiles.JobFileKeys;

namespace Skein.Engine.JobFiles;

/// <summary>Reads one entry under <c>tasks:</c> into a <see cref="TaskTemplate"/>, reporting each bad key or value.</summary>
internal sealed class TaskTemplateReader(NodeReader reader)
{
    private ProblemCollector Problems => reader.Problems;

    public TaskTemplate Read(Located<string> id, YamlNode node)
    {
        var task = new TaskTemplate(id);
        if (string.IsNullOrWhiteSpace(id.Value))
        {
            Problems.Error("a task id must not be empty", id.Location);
        }

        if (node is not YamlMappingNode mapping)
        {
            if (NodeText.IsNull(node))
            {
                Problems.Error($"task '{id.Value}' is empty: it needs at least 'run', the command to run", id.Location);
            }
            else
            {
                var hint = node is YamlScalarNode scalar ? $" (write 'run: {scalar.Value}')" : "";
                Problems.Error($"task '{id.Value}' must be a mapping with at least 'run', not {NodeText.Describe(node)}{hint}", node);
            }
            return task;
        }

        foreach (var (key, value) in reader.KnownEntries(mapping, task.Where, InTask))
        {
            task.KeyLocations[key.Value] = key.Location;
            ReadKey(task, key, value);
        }

        if (task.KeyLocations.TryGetValue(FollowSymlinks, out var follow) && task.Foreach is null)
        {
            Problems.Error($"'{FollowSymlinks}' of task '{id.Value}' only applies to 'foreach', which the task does not have", follow);
        }

        if (task.KeyLocations.TryGetValue(Call, out var callAt) && task.KeyLocations.ContainsKey(Run))
        {
            Problems.Error($"task '{id.Value}' has both 'run' and 'call': a task either runs a command or calls a service", callAt);
        }
        if (task.KeyLocations.TryGetValue(JobFileKeys.Artifacts, out var artifactsAt) && task.KeyLocations.ContainsKey(Call))
        {
            Problems.Error($"'{JobFileKeys.Artifacts}' of task '{id.Value}' only applies to 'run': a 'call' task has no working directory to collect files from", artifactsAt);
        }
        if (task.KeyLocations.TryGetValue(Args, out var argsAt) && !task.KeyLocations.ContainsKey(Call))
        {
            Problems.Error($"'{Args}' of task '{id.Value}' only applies to 'call', which the task does not have", argsAt);
        }

        // A 'run' that is present but wrong was reported where it is written; saying it is missing would repeat that.
        if (task.Run is null && !task.KeyLocations.ContainsKey(Run) && !task.KeyLocations.ContainsKey(Call))
        {
            Problems.Error($"task '{id.Value}' has no 'run': the command to run (or 'call': a service method)", id.Location);
        }
        return task;
    }

    private void ReadKey(TaskTemplate task, Located<string> key, YamlNode value)
    {
        var what = $"'{key.Value}' of task '{task.Id.Value}'";
        switch (key.Value)
        {
            case Run:
                task.Run = reader.Text(value, what);
                if (NodeText.IsNull(value) || task.Run is { } run && string.IsNullOrWhiteSpace(run.Value))
                {
                    // An empty value has no position of its own worth showing; the key does.
                    Problems.Error($"{what} is empty: give the command to run", NodeText.IsNull(value) ? key.Location : Problems.At(value));
                    task.Run = null;
                }
                break;
            case Needs: task.Needs = reader.Names(value, what) ?? []; break;
            case Provides: task.Provides = reader.Names(value, what) ?? []; break;
            case Claims: task.Claims = reader.Names(value, what) ?? []; break;
            case Uses: task.Uses = reader.Names(value, what) ?? []; break;
            case Priority: task.Priority = reader.WholeNumber(value, what); break;
            case JobFileKeys.Timeout: task.Timeout = reader.Duration(value, what, zeroAllowed: false); break;
            case Retries: task.Retries = reader.WholeNumber(value, what, minimum: 0); break;
            case RetryDelay: task.RetryDelay = reader.RetryDelay(value, what); break;
            case JobFileKeys.RetryBackoff: task.RetryBackoff = reader.RetryBackoff(value, what); break;
            case Group: task.Group = reader.Text(value, what); break;
            case Workdir: task.Workdir = reader.Text(value, what); break;
            case Env: reader.Environment(value, what, task.Env); break;
            case KillGrace: task.KillGrace = reader.Duration(value, what, zeroAllowed: true); break;
            case WarnExitCodes: task.WarnExitCodes = reader.Numbers(value, what, 0, 255) ?? []; break;
            case Description: task.Description = reader.Text(value, what); break;
            case JobFileKeys.Version: task.Version = reader.Text(value, what); break;
            case Matrix: ReadMatrix(task, value, what); break;
            case Foreach: ReadForeach(task, key, value, what); break;
            case FollowSymlinks: task.FollowSymlinks = reader.Boolean(value, what) ?? false; break;
            case Resources: ReadResources(task, value, what); break;
            case On: ReadOn(task, value, what); break;
            case Call: ReadCall(task, key, value, what); break;
            case Args: ReadArgs(task, value, what); break;
            case JobFileKeys.Artifacts: ReadArtifacts(task, value, what); break;
        }
    }

    private void ReadArtifacts(TaskTemplate task, YamlNode value, string what)
    {
        task.Artifacts = reader.Names(value, what) ?? [];
        foreach (var pattern in task.Artifacts)
        {
            if (Skein.Shared.Artifacts.ArtifactGlob.Check(pattern.Value) is { } problem) Problems.Error($"{problem} ({what})", pattern.Location);
        }
    }

    private void ReadResources(TaskTemplate task, YamlNode node, string what)
    {
        if (reader.Mapping(node, what, "{ cores: 2, memory: 4GiB }") is not { } mapping) return;
        foreach (var (key, value) in reader.KnownEntries(mapping, $"in {what}", InResources))
        {
            var inner = $"'{Resources}.{key.Value}' of task '{task.Id.Value}'";
            if (key.Value == Cores)
            {
                task.Cores = reader.WholeNumber(value, inner, minimum: 1);
            }
            else if (NodeText.IsNull(value) || value is not YamlScalarNode { Value: { } text } || !ByteSize.TryParse(text, out var bytes))
            {
                Problems.Error($"{inner} must be a size such as 512MiB or 4GiB, not {NodeText.Describe(value)}", value);
            }
            else
            {
                task.Memory = new Located<long>(bytes, Problems.At(value));
            }
        }
    }

    private void ReadOn(TaskTemplate task, YamlNode node, string what)
    {
        if (reader.Mapping(node, what, "{ labels: { gpu: \"true\" } }, { node: NAME } or { host: HOSTNAME }") is not { } mapping) return;
        foreach (var (key, value) in reader.KnownEntries(mapping, $"in {what}", InOn))
        {
            var inner = $"'{On}.{key.Value}' of task '{task.Id.Value}'";
            switch (key.Value)
            {
                case Labels: reader.Environment(value, inner, task.OnLabels); break;
                case JobFileKeys.Node: task.OnNode = reader.Text(value, inner); break;
                case Host: task.OnHost = reader.Text(value, inner); break;
            }
        }
    }

    private void ReadCall(TaskTemplate task, Located<string> key, YamlNode value, string what)
    {
        task.Call = reader.Text(value, what);
        if (task.Call is { } call)
        {
            var dot = call.Value.LastIndexOf('.');
            if (dot <= 0 || dot == call.Value.Length - 1)
            {
                Problems.Error($"{what} must be SERVICE.METHOD, such as echo.Echo, not '{call.Value}'", call.Location);
                task.Call = null;
            }
        }
        else if (NodeText.IsNull(value))
        {
            Problems.Error($"{what} is empty: give the service method to call, as SERVICE.METHOD", key.Location);
        }
    }

    private void ReadArgs(TaskTemplate task, YamlNode value, string what)
    {
        if (NodeText.IsNull(value)) return;
        if (value is not YamlSequenceNode sequence)
        {
            Problems.Error($"{what} must be a list of the method's arguments, such as [\"hello\", 2], not {NodeText.Describe(value)}", value);
            return;
        }
        task.Args = sequence;
        CollectTexts(sequence, task.ArgTexts);
    }

    private void CollectTexts(YamlNode node, List<Located<string>> into)
    {
        switch (node)
        {
            case YamlScalarNode { Value: { } text }: into.Add(new Located<string>(text, Problems.At(node))); break;
            case YamlSequenceNode list: foreach (var child in list.Children) CollectTexts(child, into); break;
            case YamlMappingNode map: foreach (var (_, child) in map.Children) CollectTexts(child, into); break;
        }
    }

    private void ReadMatrix(TaskTemplate task, YamlNode node, string what)
    {
        task.Matrix = [];
        var mapping = reader.Mapping(node, what, "{ shard: [1, 2, 3] }", nullIsFine: false);
        if (mapping is null)
        {
            task.FactoryBroken = true;
            task.MatrixKeysUnknown = true;
            return;
        }
        if (mapping.Children.Count > JobLimits.MaxMatrixKeys)
        {
            Problems.Error($"{what} has {mapping.Children.Count} keys; a matrix has at most {JobLimits.MaxMatrixKeys}", node);
            task.FactoryBroken = true;
            task.MatrixKeysUnknown = true;
            return;
        }
        if (mapping.Children.Count == 0)
        {
            Problems.Error($"{what} is empty: give at least one key with a list of values, such as {{ shard: [1, 2] }}", node);
            task.FactoryBroken = true;
            task.MatrixKeysUnknown = true;
            return;
        }

        foreach (var (key, value) in reader.Entries(mapping))
        {
            // Whatever is wrong with a key, it is still known, so its placeholders are not reported a second time.
            var values = new List<Located<string>>();
            task.Matrix.Add((key, values));
            if (!IsMatrixKeyName(key.Value))
            {
                Problems.Error($"matrix key '{key.Value}' {task.Where} may hold only letters, digits, '-' and '_'", key.Location);
                task.FactoryBroken = true;
            }
            if (value is not YamlSequenceNode sequence)
            {
                Problems.Error($"matrix key '{key.Value}' {task.Where} must be a list of values, not {NodeText.Describe(value)}", value);
                task.FactoryBroken = true;
                continue;
            }
            if (sequence.Children.Count == 0)
            {
                Problems.Error($"matrix key '{key.Value}' {task.Where} has an empty list: the task would have no copies", value);
                task.FactoryBroken = true;
                continue;
            }
            if (sequence.Children.Count > JobLimits.MaxMatrixValues)
            {
                Problems.Error($"matrix key '{key.Value}' {task.Where} has {sequence.Children.Count} values; a matrix key has at most {JobLimits.MaxMatrixValues}", value);
                task.FactoryBroken = true;
                continue;
            }
            foreach (var entry in sequence.Children)
            {
                if (entry is YamlScalarNode { Value: { } text })
                {
                    values.Add(new Located<string>(text, Problems.At(entry)));
                }
                else
                {
                    Problems.Error($"a value of matrix key '{key.Value}' {task.Where} must be text or a number, not {NodeText.Describe(entry)}", entry);
                    task.FactoryBroken = true;
                }
            }
        }
    }

    private void ReadForeach(TaskTemplate task, Located<string> key, YamlNode node, string what)
    {
        task.Foreach = reader.Names(node, what);
        if (task.Foreach is null || task.Foreach.Count == 0)
        {
            if (task.Foreach is not null)
            {
                Problems.Error($"{what} needs at least one glob, such as \"src/**/*.cs\"", NodeText.IsNull(node) ? key.Location : Problems.At(node));
            }
            task.Foreach = [];
            task.FactoryBroken = true;
            return;
        }
        foreach (var pattern in task.Foreach)
        {
            var glob = pattern.Value.StartsWith('!') ? pattern.Value[1..] : pattern.Value;
            if (Path.IsPathRooted(glob))
            {
                Problems.Error($"the glob '{pattern.Value}' {task.Where} must be relative to the job file's directory", pattern.Location);
                task.FactoryBroken = true;
            }
        }
    }

    private static bool IsMatrixKeyName(string name)
    {
        if (name.Length == 0) return false;
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_') return false;
        }
        return true;
    }
}
