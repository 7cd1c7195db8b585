using Skein.Shared.Text;
using Skein.Engine.Templates;
using Skein.Yaml;

namespace Skein.Engine.JobFiles;

/// <summary>
/// One entry under <c>tasks:</c> as written, placeholders not yet filled in. A plain task becomes one
/// <see cref="TaskSpec"/>; a factory (matrix, foreach) becomes one per matrix entry or file.
/// </summary>
internal sealed class TaskTemplate(Located<string> id)
{
    public Located<string> Id { get; } = id;

    /// <summary>Where each key of the task is written; becomes the task's <see cref="TaskSource"/>.</summary>
    public Dictionary<string, SourceLocation> KeyLocations { get; } = new(StringComparer.Ordinal);

    public Located<string>? Run { get; set; }
    public List<Located<string>> Needs { get; set; } = [];
    public List<Located<string>> Provides { get; set; } = [];
    public List<Located<string>> Claims { get; set; } = [];
    public List<Located<string>> Uses { get; set; } = [];
    public Located<int>? Priority { get; set; }
    public Located<TimeSpan>? Timeout { get; set; }
    public Located<int>? Retries { get; set; }
    public Located<TimeSpan>? RetryDelay { get; set; }
    public Located<RetryBackoff>? RetryBackoff { get; set; }
    public Located<string>? Group { get; set; }
    public Located<string>? Workdir { get; set; }
    public List<(Located<string> Name, Located<string> Value)> Env { get; } = [];
    public Located<TimeSpan>? KillGrace { get; set; }
    public List<Located<int>> WarnExitCodes { get; set; } = [];
    public Located<string>? Description { get; set; }
    public Located<string>? Version { get; set; }

    /// <summary>resources: cores and memory (bytes) per attempt.</summary>
    public Located<int>? Cores { get; set; }
    public Located<long>? Memory { get; set; }

    /// <summary>on: where the task may run.</summary>
    public List<(Located<string> Name, Located<string> Value)> OnLabels { get; } = [];
    public Located<string>? OnNode { get; set; }
    public Located<string>? OnHost { get; set; }

    /// <summary>call: SERVICE.METHOD, and its args as written (a list), instead of 'run'.</summary>
    public Located<string>? Call { get; set; }
    public YamlDotNet.RepresentationModel.YamlSequenceNode? Args { get; set; }

    /// <summary>Every text scalar of 'args', for placeholder checks.</summary>
    public List<Located<string>> ArgTexts { get; } = [];

    /// <summary>artifacts: the globs of the files the task hands on.</summary>
    public List<Located<string>> Artifacts { get; set; } = [];

    /// <summary>The matrix keys in file order, each with its values; null for a task without a matrix.</summary>
    public List<(Located<string> Key, List<Located<string>> Values)>? Matrix { get; set; }

    /// <summary>The foreach globs (a leading '!' excludes); null for a task without foreach.</summary>
    public List<Located<string>>? Foreach { get; set; }

    /// <summary>True when the foreach walk may enter symlinked directories (<c>follow-symlinks: true</c>).</summary>
    public bool FollowSymlinks { get; set; }

    /// <summary>
    /// True when the matrix or foreach could not be read: the task then yields no copies, since any copy would
    /// carry placeholders that cannot be filled in.
    /// </summary>
    public bool FactoryBroken { get; set; }

    /// <summary>
    /// True when the matrix was given but its keys could not be read (it is empty or not a mapping): any
    /// {{matrix.*}} placeholder is then accepted, since reporting each would only repeat the matrix's own error.
    /// </summary>
    public bool MatrixKeysUnknown { get; set; }

    /// <summary>How the task is named in messages: its id as written.</summary>
    public string Where => $"in task '{Id.Value}'";

    /// <summary>The placeholder names this task's text may use.</summary>
    public IReadOnlyCollection<string> PlaceholderNames()
    {
        var names = new List<string>();
        if (Matrix is not null)
        {
            foreach (var (key, _) in Matrix) names.Add(Placeholders.MatrixPrefix + key.Value);
        }
        if (Foreach is not null) names.AddRange(Placeholders.FileNames);
        return names;
    }

    /// <summary>
    /// Every text of the task in which placeholders are filled in, including the defaults it inherits, each with
    /// whether it may read other tasks' outputs (only 'run' and 'env' may: they are filled in when the task starts).
    /// </summary>
    public IEnumerable<(Located<string> Text, bool ReadsOutputs)> Texts(JobDefaults defaults)
    {
        yield return (Id, false);
        if (Run is { } run) yield return (run, true);
        foreach (var list in (List<Located<string>>[])[Needs, Provides, Claims, Uses])
        {
            foreach (var entry in list) yield return (entry, false);
        }
        if (Group is { } group) yield return (group, false);
        if ((Workdir ?? defaults.Workdir) is { } workdir) yield return (workdir, false);
        if (Description is { } description) yield return (description, false);
        if (Call is { } call) yield return (call, false);
        foreach (var text in ArgTexts) yield return (text, true);
        if (OnNode is { } node) yield return (node, false);
        if (OnHost is { } host) yield return (host, false);
        foreach (var (_, value) in OnLabels) yield return (value, false);
        if (Version is { } version) yield return (version, false);
        foreach (var pattern in Artifacts) yield return (pattern, false);
        foreach (var (name, value) in defaults.Env)
        {
            // A default the task overrides never reaches it, so its placeholders do not matter here.
            if (!Env.Exists(own => own.Name.Value == name.Value)) yield return (value, true);
        }
        foreach (var (_, value) in Env) yield return (value, true);
    }
}
