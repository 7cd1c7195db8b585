using System.Text.Json;

namespace Skein.Engine;

/// <summary>What a running task can see and do: its identity, its dependencies' values, sub-results, new tasks, a log.</summary>
public sealed class TaskContext : IAttemptReporter, IDisposable
{
    private readonly IRunHost _run;
    private List<SubResult>? _subResults;
    private Dictionary<string, string>? _outputs;
    private StreamWriter? _log;
    private string? _logPath;
    private bool _logPathHandedOut;
    private volatile bool _ended;

    /// <param name="logPath">The attempt's log path when the run already computed it; otherwise it is computed on first use.</param>
    internal TaskContext(IRunHost run, string taskId, int attempt, string? logPath, CancellationToken cancellationToken)
    {
        _run = run;
        TaskId = taskId;
        Attempt = attempt;
        _logPath = logPath;
        CancellationToken = cancellationToken;
    }

    public string TaskId { get; }

    /// <summary>1 for the first attempt, 2 for the first retry, and so on.</summary>
    public int Attempt { get; }

    public long RunId => _run.RunId;

    /// <summary>Fires when the attempt times out or the run is cancelled.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Where this attempt's output goes. The file exists only once something was written.</summary>
    /// <remarks>
    /// Most tasks never log, so the path is built on first use; a task that never asked for it cannot have written
    /// the file, which spares every such task a look at the disk when it ends.
    /// </remarks>
    public string LogPath
    {
        get
        {
            _logPathHandedOut = true;
            return _logPath ??= _run.LogPathFor(TaskId, Attempt);
        }
    }

    /// <summary>A writer to this attempt's log file, created on first use.</summary>
    public TextWriter Log
    {
        get
        {
            if (_log is null)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(LogPath)!);
                _log = new StreamWriter(LogPath, append: true) { AutoFlush = true };
            }
            return _log;
        }
    }

    /// <summary>The log path when the attempt wrote a log (through <see cref="Log"/> or to <see cref="LogPath"/> itself), else null.</summary>
    internal string? WrittenLogPath => _log is not null || (_logPathHandedOut && File.Exists(_logPath)) ? _logPath : null;

    /// <summary>The run's artifact store in this process.</summary>
    internal RunArtifactStore RunArtifacts => _run.Artifacts;

    internal IReadOnlyList<SubResult> SubResults => (IReadOnlyList<SubResult>?)_subResults ?? [];

    /// <summary>
    /// The value a finished dependency returned: what a C# task returned; for a <c>call:</c> task, the service's JSON
    /// result read as a <typeparamref name="T"/> (also when --resume reused it). For a command, read its outputs with
    /// <see cref="GetResult{T}(string, string)"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The task has not passed, or is unknown, or its value is not a <typeparamref name="T"/>.</exception>
    public T GetResult<T>(string taskId)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        // A call's result is JSON wherever the call ran, and is kept as its output: read as the caller asks.
        if (_run.IsServiceCall(taskId)) return Parse<T>(taskId, ServiceCallAction.ResultOutput, GetOutput(taskId, ServiceCallAction.ResultOutput));
        var value = _run.GetValue(taskId, TaskId);
        if (value is T typed) return typed;
        if (value is null && default(T) is null) return default!;
        throw new InvalidOperationException(
            $"Task '{TaskId}' asked for the result of '{taskId}' as {typeof(T).Name}, but it is {(value is null ? "null" : value.GetType().Name)}.");
    }

    /// <summary>The outputs a finished task set, by name (empty when it set none); the same whether it ran here, on a node, or in the run --resume reused it from.</summary>
    /// <exception cref="InvalidOperationException">The task has not passed, or is not a task of this run.</exception>
    public IReadOnlyDictionary<string, string> GetOutputs(string taskId)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        return _run.GetOutputs(taskId, TaskId);
    }

    /// <summary>One output of a finished task: what a command reads as <c>{{tasks.ID.outputs.NAME}}</c>.</summary>
    /// <exception cref="InvalidOperationException">The task has not passed, or is not a task of this run.</exception>
    /// <exception cref="MissingOutputException">The task set no output of that name.</exception>
    public string GetOutput(string taskId, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (GetOutputs(taskId).TryGetValue(name, out var value)) return value;
        throw new MissingOutputException(new OutputReference(taskId, name), $"task '{taskId}' set no output '{name}'");
    }

    /// <summary>
    /// One output of a finished task as a <typeparamref name="T"/>, wherever the task ran (a command's
    /// <c>::output NAME=VALUE</c>, a call's <c>result</c>): the text as it is for a <see cref="string"/>, else the text
    /// read as JSON (<c>42</c>, <c>true</c>, <c>{"a": 1}</c>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The task has not passed, is not a task of this run, or the output does not read as a <typeparamref name="T"/>.</exception>
    /// <exception cref="MissingOutputException">The task set no output of that name.</exception>
    public T GetResult<T>(string taskId, string output)
    {
        var text = GetOutput(taskId, output);
        return typeof(T) == typeof(string) ? (T)(object)text : Parse<T>(taskId, output, text);
    }

    private T Parse<T>(string taskId, string output, string json)
    {
        try
        {
            var value = JsonSerializer.Deserialize<T>(json, JsonSerializerOptions.Web);
            if (value is null && default(T) is not null) throw new JsonException("it is null");
            return value!;
        }
        catch (JsonException e)
        {
            var shown = json.Length > 200 ? json[..200] + "…" : json;
            throw new InvalidOperationException(
                $"Task '{TaskId}' read the output '{output}' of '{taskId}' as {typeof(T).Name}, but {shown} does not read as one: {e.Message}", e);
        }
    }

    /// <summary>Sets an output of this task, for its dependents to read (a name set twice keeps its last value).</summary>
    /// <exception cref="ArgumentException">The name or value breaks the rules of <see cref="TaskOutputs"/>, or this is one output too many.</exception>
    public void SetOutput(string name, string value)
    {
        if (TaskOutputs.Check(name, value) is { } problem) throw new ArgumentException(problem, nameof(name));
        var outputs = _outputs ??= new Dictionary<string, string>(StringComparer.Ordinal);
        lock (outputs)
        {
            if (outputs.Count >= TaskOutputs.MaxCount && !outputs.ContainsKey(name))
                throw new ArgumentException($"task '{TaskId}' cannot set output '{name}': a task sets at most {TaskOutputs.MaxCount} outputs", nameof(name));
            outputs[name] = value;
        }
    }

    /// <summary>What C# code set through <see cref="SetOutput"/>; null when nothing.</summary>
    internal Dictionary<string, string>? SetOutputs => _outputs;

    /// <summary>Reports a named result under this task; the task's outcome becomes the worst of its own and these.</summary>
    public void Report(string name, Outcome outcome, string? message = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var list = _subResults ??= [];
        lock (list) list.Add(new SubResult(name, outcome, message));
    }

    void IAttemptReporter.ReportWaiting(string? reason)
    {
        if (!_ended) _run.ReportWaiting(TaskId, Attempt, reason);
    }

    /// <summary>Adds tasks to the running job. They are validated like the job's own tasks and may need any of them.</summary>
    /// <exception cref="JobValidationException">The new tasks are invalid; nothing was added.</exception>
    /// <exception cref="InvalidOperationException">The attempt has ended, or the run is stopping.</exception>
    public void AddTasks(params IReadOnlyList<TaskSpec> tasks)
    {
        // A context kept past its attempt (or an abandoned attempt still running) must not add to a run that may
        // already have counted its tasks done.
        if (_ended) throw new InvalidOperationException($"Task '{TaskId}' cannot add tasks: it has finished.");
        _run.AddTasks(tasks, TaskId);
    }

    public void Dispose()
    {
        _ended = true;
        _log?.Dispose();
    }
}
