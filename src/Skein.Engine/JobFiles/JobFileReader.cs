using Skein.Engine.Templates;
using Skein.Yaml;
using YamlDotNet.RepresentationModel;
using static Skein.Engine.JobFiles.JobFileKeys;

namespace Skein.Engine.JobFiles;

/// <summary>Reads the top of a job file (version, name, defaults, groups, tasks) and assembles the job.</summary>
internal sealed class JobFileReader
{
    private const string SupportedVersion = "1";

    private readonly ProblemCollector _problems;
    private readonly NodeReader _reader;
    private readonly string _baseDirectory;

    private JobFileReader(string fileName, string baseDirectory)
    {
        _problems = new ProblemCollector(fileName);
        _reader = new NodeReader(_problems);
        _baseDirectory = Path.GetFullPath(baseDirectory);
    }

    public static JobLoadResult Read(string text, string fileName, string baseDirectory, string? sourceFile)
    {
        var reader = new JobFileReader(fileName, baseDirectory);
        var job = reader.ReadJob(text, sourceFile);
        return new JobLoadResult(job, reader._problems.ToList());
    }

    private Job? ReadJob(string text, string? sourceFile)
    {
        if (YamlDocumentReader.ReadRoot(text, _problems) is not { } root) return null;

        YamlNode? nameNode = null, defaultsNode = null, groupsNode = null, tasksNode = null, limitsNode = null;
        SourceLocation? nameKey = null, tasksKey = null;
        foreach (var (key, value) in _reader.KnownEntries(root, "at the top level", TopLevel))
        {
            switch (key.Value)
            {
                case JobFileKeys.Version: CheckVersion(value); break;
                case Name: nameNode = value; nameKey = key.Location; break;
                case Defaults: defaultsNode = value; break;
                case Groups: groupsNode = value; break;
                case Tasks: tasksNode = value; tasksKey = key.Location; break;
                case Limits: limitsNode = value; break;
            }
        }

        var job = new Job(ReadName(root, nameNode, nameKey)) { SourceFile = sourceFile, ArtifactLimit = limitsNode is null ? null : ReadArtifactLimit(limitsNode) };
        var defaults = defaultsNode is null ? new JobDefaults() : ReadDefaults(defaultsNode);
        if (groupsNode is not null) ReadGroups(groupsNode, job);
        ReadTasks(root, tasksNode, tasksKey, defaults, job);
        return job;
    }

    private void CheckVersion(YamlNode node)
    {
        if (node is YamlScalarNode { Value: SupportedVersion }) return;
        _problems.Error($"this Skein reads job format version {SupportedVersion}, not {NodeText.Describe(node)}", node);
    }

    /// <summary>The job's name; when it is missing or bad, a stand-in so the rest of the file can still be checked.</summary>
    private string ReadName(YamlMappingNode root, YamlNode? node, SourceLocation? key)
    {
        if (node is null)
        {
            _problems.Error("missing 'name': every job needs a name, which identifies its runs in the journal", root);
        }
        else if (_reader.Text(node, "'name'") is { } name && !string.IsNullOrWhiteSpace(name.Value))
        {
            return name.Value;
        }
        else if (NodeText.IsNull(node) || node is YamlScalarNode)
        {
            _problems.Error("'name' is empty: every job needs a name, which identifies its runs in the journal", key);
        }

        var stem = Path.GetFileNameWithoutExtension(_problems.FileName);
        return string.IsNullOrWhiteSpace(stem) ? "job" : stem;
    }

    /// <summary>The <c>limits:</c> section: for now, how many bytes of artifacts a run stores.</summary>
    private long? ReadArtifactLimit(YamlNode node)
    {
        long? limit = null;
        if (_reader.Mapping(node, "'limits'", "{ artifacts: 2GiB }") is not { } mapping) return null;
        foreach (var (key, value) in _reader.KnownEntries(mapping, "in limits", InLimits))
        {
            if (key.Value != JobFileKeys.Artifacts) continue;
            if (NodeText.IsNull(value) || value is not YamlScalarNode { Value: { } text } || !Skein.Shared.Text.ByteSize.TryParse(text, out var bytes))
                _problems.Error($"'limits.artifacts' must be a size such as 500MiB or 2GiB, not {NodeText.Describe(value)}", value);
            else limit = bytes;
        }
        return limit;
    }

    private JobDefaults ReadDefaults(YamlNode node)
    {
        var defaults = new JobDefaults();
        if (_reader.Mapping(node, "'defaults'", "{ timeout: 5m, retries: 1 }") is not { } mapping) return defaults;

        foreach (var (key, value) in _reader.KnownEntries(mapping, "in defaults", InDefaults))
        {
            defaults.KeyLocations[key.Value] = key.Location;
            var what = $"'{key.Value}' in defaults";
            switch (key.Value)
            {
                case JobFileKeys.Timeout: defaults.Timeout = _reader.Duration(value, what, zeroAllowed: false); break;
                case Retries: defaults.Retries = _reader.WholeNumber(value, what, minimum: 0); break;
                case RetryDelay: defaults.RetryDelay = _reader.RetryDelay(value, what); break;
                case JobFileKeys.RetryBackoff: defaults.RetryBackoff = _reader.RetryBackoff(value, what); break;
                case Workdir: defaults.Workdir = _reader.Text(value, what); break;
                case Env: _reader.Environment(value, what, defaults.Env); break;
                case KillGrace: defaults.KillGrace = _reader.Duration(value, what, zeroAllowed: true); break;
            }
        }
        return defaults;
    }

    private void ReadGroups(YamlNode node, Job job)
    {
        if (_reader.Mapping(node, "'groups'", "{ heavy: { workers: 1 } }") is not { } mapping) return;

        foreach (var (name, value) in _reader.Entries(mapping))
        {
            // A group is declared even when its shape is wrong, so tasks naming it are not also reported as
            // using an undeclared group: the one real mistake is reported once, where it is.
            var workers = 1;
            if (_reader.Mapping(value, $"group '{name.Value}'", "{ workers: 2 }") is { } group)
            {
                foreach (var (key, setting) in _reader.KnownEntries(group, $"in group '{name.Value}'", InGroup))
                {
                    if (key.Value == Workers &&
                        _reader.WholeNumber(setting, $"'workers' of group '{name.Value}'", minimum: 1) is { } count)
                    {
                        workers = count.Value;
                    }
                }
            }
            if (string.IsNullOrWhiteSpace(name.Value))
            {
                _problems.Error("a group name must not be empty", name.Location);
                continue;
            }
            job.AddGroup(name.Value, workers, name.Location);
        }
    }

    private void ReadTasks(YamlMappingNode root, YamlNode? node, SourceLocation? key, JobDefaults defaults, Job job)
    {
        if (node is null)
        {
            _problems.Error("missing 'tasks': a job needs at least one task", root);
            return;
        }
        if (_reader.Mapping(node, "'tasks'", "{ build: { run: make } } (task id to task)") is not { } mapping)
        {
            if (NodeText.IsNull(node)) _problems.Error("'tasks' is empty: a job needs at least one task", key);
            return;
        }
        if (mapping.Children.Count == 0)
        {
            _problems.Error("'tasks' is empty: a job needs at least one task", key);
            return;
        }

        var templates = new TaskTemplateReader(_reader);
        var builder = new TaskBuilder(defaults, _baseDirectory, _problems);
        var firstSeen = new Dictionary<string, TaskTemplate>(StringComparer.Ordinal);
        var made = 0;
        foreach (var (id, value) in _reader.Entries(mapping))
        {
            var template = templates.Read(id, value);
            var known = template.PlaceholderNames();
            foreach (var (text, readsOutputs) in template.Texts(defaults))
            {
                PlaceholderCheck.Check(text, known, template.MatrixKeysUnknown, readsOutputs, template.Where, _problems);
            }

            var copies = TaskExpander.Copies(template, _baseDirectory, _problems, job, JobLimits.MaxTasks - made);
            made += copies.Count;
            // The job is full and that was reported; each later task would only say so again.
            if (copies.Count == 0 && made >= JobLimits.MaxTasks) break;
            foreach (var values in copies)
            {
                var task = builder.Build(template, values);
                if (string.IsNullOrWhiteSpace(task.Id))
                {
                    // A blank id written as such was reported by the template reader; one made by a placeholder is new.
                    if (!string.IsNullOrWhiteSpace(template.Id.Value))
                    {
                        _problems.Error($"task '{template.Id.Value}' makes a task with an empty id", template.Id.Location);
                    }
                    continue;
                }
                if (firstSeen.TryGetValue(task.Id, out var first))
                {
                    ReportDuplicate(task.Id, first, template);
                    // The first task keeps the id: adding the second would have graph validation report it again.
                    continue;
                }
                firstSeen[task.Id] = template;
                job.Add(task);
            }
        }
    }

    private void ReportDuplicate(string id, TaskTemplate first, TaskTemplate second)
    {
        if (ReferenceEquals(first, second))
        {
            var hint = second.Matrix is not null ? "{{matrix.KEY}}" : "{{file.stem}}";
            _problems.Error(
                $"task '{second.Id.Value}' makes several tasks with the same id '{id}': put a placeholder such as {hint} in its id " +
                "so each copy gets its own",
                second.Id.Location);
            return;
        }
        _problems.Error($"duplicate task id '{id}': made by the tasks at {first.Id.Location} and at {second.Id.Location}", second.Id.Location);
    }
}
