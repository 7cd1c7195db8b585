using System.Globalization;
using Google.Protobuf.Collections;
using Skein.Cluster.Protocol;
using Skein.Engine;
using Skein.Engine.Journal;

namespace Skein.Cluster.Runs;

/// <summary>
/// A hosted run's data on the wire and back: the job as the client expanded it, the run's events, and the journal's
/// records. One place for both directions, so the client rebuilds exactly what the coordinator's run produced.
/// </summary>
internal static class RunWire
{
    public static SubmitRunRequest ToRequest(Job job, RunSubmission submission)
    {
        var request = new SubmitRunRequest
        {
            JobName = job.Name,
            JobFile = job.SourceFile ?? "",
            JobDirectory = submission.JobDirectory ?? "",
            Resume = submission.Resume,
            Workers = submission.Workers ?? 0,
            CommandLine = submission.CommandLine ?? "",
            ArtifactLimit = job.ArtifactLimit ?? 0,
        };
        if (submission.Only is { } only) request.Only.AddRange(only);
        foreach (var (name, group) in job.Groups) request.Groups.Add(new RunGroup { Name = name, Workers = group.Workers });
        foreach (var task in job.Tasks) request.Tasks.Add(ToWire(task));
        return request;
    }

    private static RunTask ToWire(TaskSpec task)
    {
        var wire = task.Action switch
        {
            CommandAction command => new RunTask
            {
                Command = command.Spec.Command,
                WorkingDirectory = command.Spec.WorkingDirectory ?? "",
                KillGraceMs = (long)command.Spec.KillGrace.TotalMilliseconds,
            },
            ServiceCallAction call => new RunTask { CallService = call.Service, CallMethod = call.Method, CallArgsJson = call.ArgumentsJson },
            _ => throw new SkeinException($"task '{task.Id}' is C# code, which cannot leave this process; only command and call tasks run on a cluster"),
        };
        wire.Id = task.Id;
        wire.Cores = task.Resources.Cores;
        wire.MemoryBytes = task.Resources.MemoryBytes;
        wire.WorkdirExplicit = task.WorkdirIsExplicit;
        if (task.Placement is { } placement)
        {
            foreach (var (key, value) in placement.Labels) wire.OnLabels[key] = value;
            wire.OnNode = placement.Node ?? "";
            wire.OnHost = placement.Host ?? "";
        }
        if (task.Action is CommandAction { Spec: var spec })
        {
            foreach (var (key, value) in spec.Environment) wire.Environment[key] = value;
            wire.WarnExitCodes.AddRange(spec.WarnExitCodes);
        }
        wire.MergeFrom(new RunTask
        {
            Group = task.Group ?? "",
            Priority = task.Priority,
            TimeoutMs = task.Timeout is { } timeout ? Math.Max(1, (long)Math.Ceiling(timeout.TotalMilliseconds)) : 0,
            Retries = task.Retries,
            RetryDelayMs = (long)task.RetryDelay.TotalMilliseconds,
            RetryBackoff = task.RetryBackoff.ToString().ToLowerInvariant(),
            Version = task.Version ?? "",
        });
        wire.Needs.AddRange(task.Needs);
        wire.Provides.AddRange(task.Provides);
        wire.Claims.AddRange(task.Claims);
        wire.Uses.AddRange(task.Uses);
        wire.Artifacts.AddRange(task.Artifacts);
        return wire;
    }

    /// <summary>The job a request describes; its problems (not the graph's, which the run checks) are returned, not thrown.</summary>
    public static Job ToJob(SubmitRunRequest request, List<string> problems)
    {
        var name = string.IsNullOrWhiteSpace(request.JobName) ? "job" : request.JobName;
        var job = new Job(name) { SourceFile = request.JobFile.Length > 0 ? request.JobFile : null, ArtifactLimit = request.ArtifactLimit > 0 ? request.ArtifactLimit : null };
        if (request.ArtifactLimit < 0) problems.Add($"the artifact limit {request.ArtifactLimit} is negative");
        foreach (var group in request.Groups)
        {
            if (string.IsNullOrWhiteSpace(group.Name)) problems.Add("a group has no name");
            else job.AddGroup(group.Name, group.Workers);
        }
        foreach (var task in request.Tasks)
        {
            if (ToSpec(task, problems) is { } spec) job.Add(spec);
        }
        return job;
    }

    private static TaskSpec? ToSpec(RunTask task, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(task.Id))
        {
            problems.Add("a task has no id");
            return null;
        }
        var before = problems.Count;
        if (!Enum.TryParse<RetryBackoff>(task.RetryBackoff.Length == 0 ? "exponential" : task.RetryBackoff, ignoreCase: true, out var backoff)
            || !Enum.IsDefined(backoff))
            problems.Add($"task '{task.Id}': unknown retry backoff '{task.RetryBackoff}'");
        if (task.TimeoutMs < 0) problems.Add($"task '{task.Id}': timeout {task.TimeoutMs} ms is negative");
        if (task.Retries < 0) problems.Add($"task '{task.Id}': retries {task.Retries} is negative");
        if (task.RetryDelayMs < 0 || task.RetryDelayMs > TimeSpan.FromDays(1).TotalMilliseconds)
            problems.Add($"task '{task.Id}': retry delay {task.RetryDelayMs} ms is outside 0 to a day");
        if (task.KillGraceMs < 0) problems.Add($"task '{task.Id}': kill grace {task.KillGraceMs} ms is negative");
        if (task.WorkingDirectory.Length > 0 && !Path.IsPathFullyQualified(task.WorkingDirectory))
            problems.Add($"task '{task.Id}': working directory '{task.WorkingDirectory}' is not an absolute path");
        if (task.Cores < 0 || task.MemoryBytes < 0) problems.Add($"task '{task.Id}': resources cannot be negative");
        foreach (var pattern in task.Artifacts)
        {
            if (Skein.Shared.Artifacts.ArtifactGlob.Check(pattern) is { } artifactProblem) problems.Add($"task '{task.Id}': {artifactProblem}");
        }
        var isCall = task.CallService.Length > 0;
        if (isCall && (task.CallMethod.Length == 0 || task.Command.Length > 0))
            problems.Add($"task '{task.Id}': a call task names a service and a method, and has no command");
        if (problems.Count > before) return null;

        ITaskAction action = isCall
            ? new ServiceCallAction(task.CallService, task.CallMethod, task.CallArgsJson.Length > 0 ? task.CallArgsJson : "[]")
            : new CommandAction(new CommandSpec
            {
                Command = task.Command,
                WorkingDirectory = task.WorkingDirectory.Length > 0 ? task.WorkingDirectory : null,
                Environment = new Dictionary<string, string>(task.Environment, StringComparer.Ordinal),
                WarnExitCodes = task.WarnExitCodes.ToArray(),
                KillGrace = TimeSpan.FromMilliseconds(task.KillGraceMs),
            });
        var placement = task.OnLabels.Count == 0 && task.OnNode.Length == 0 && task.OnHost.Length == 0
            ? null
            : new TaskPlacement
            {
                Labels = new Dictionary<string, string>(task.OnLabels, StringComparer.Ordinal),
                Node = task.OnNode.Length > 0 ? task.OnNode : null,
                Host = task.OnHost.Length > 0 ? task.OnHost : null,
            };
        return new TaskSpec
        {
            Id = task.Id,
            Action = action,
            Resources = task.Cores == 0 && task.MemoryBytes == 0 ? TaskResources.Default : new TaskResources { Cores = Math.Max(task.Cores, 1), MemoryBytes = task.MemoryBytes },
            Placement = placement,
            WorkdirIsExplicit = task.WorkdirExplicit,
            Needs = task.Needs.ToArray(),
            Provides = task.Provides.ToArray(),
            Claims = task.Claims.ToArray(),
            Uses = task.Uses.ToArray(),
            Group = task.Group.Length > 0 ? task.Group : null,
            Priority = task.Priority,
            Timeout = task.TimeoutMs > 0 ? TimeSpan.FromMilliseconds(task.TimeoutMs) : null,
            Retries = task.Retries,
            RetryDelay = TimeSpan.FromMilliseconds(task.RetryDelayMs),
            RetryBackoff = backoff,
            Version = task.Version.Length > 0 ? task.Version : null,
            Artifacts = task.Artifacts.Count == 0 ? [] : task.Artifacts.ToArray(),
        };
    }

    // ── events ────────────────────────────────────────────────────────────────────────────────────

    public static RunEventMessage ToMessage(RunEvent e, long sequence) => e switch
    {
        TaskStarted started => new RunEventMessage
        {
            Sequence = sequence,
            Started = new RunTaskStarted { TaskId = started.TaskId, Attempt = started.Attempt, AtUnixMs = started.At.ToUnixTimeMilliseconds() },
        },
        TaskRetrying retrying => new RunEventMessage
        {
            Sequence = sequence,
            Retrying = new RunTaskRetrying
            {
                TaskId = retrying.TaskId,
                FailedAttempt = retrying.FailedAttempt,
                Outcome = retrying.Outcome.ToWireName(),
                Reason = retrying.Reason ?? "",
                HasReason = retrying.Reason is not null,
                DelayMs = (long)retrying.Delay.TotalMilliseconds,
            },
        },
        TaskFinished finished => new RunEventMessage { Sequence = sequence, Finished = ToWire(finished.Result) },
        TaskWaiting waiting => new RunEventMessage
        {
            Sequence = sequence,
            Waiting = new RunTaskWaiting { TaskId = waiting.TaskId, Attempt = waiting.Attempt, Reason = waiting.Reason ?? "" },
        },
        _ => throw new ArgumentException($"unknown run event {e.GetType().Name}", nameof(e)),
    };

    public static RunEvent? ToEvent(RunEventMessage message) => message.BodyCase switch
    {
        RunEventMessage.BodyOneofCase.Started => new TaskStarted(message.Started.TaskId, message.Started.Attempt,
            DateTimeOffset.FromUnixTimeMilliseconds(message.Started.AtUnixMs)),
        RunEventMessage.BodyOneofCase.Retrying => new TaskRetrying(message.Retrying.TaskId, message.Retrying.FailedAttempt,
            ParseOutcome(message.Retrying.Outcome), message.Retrying.HasReason ? message.Retrying.Reason : null)
        {
            Delay = TimeSpan.FromMilliseconds(message.Retrying.DelayMs),
        },
        RunEventMessage.BodyOneofCase.Finished => new TaskFinished(ToResult(message.Finished)),
        RunEventMessage.BodyOneofCase.Waiting => new TaskWaiting(message.Waiting.TaskId, message.Waiting.Attempt,
            message.Waiting.Reason.Length > 0 ? message.Waiting.Reason : null),
        _ => null,
    };

    private static RunTaskResult ToWire(TaskResult result)
    {
        var wire = new RunTaskResult
        {
            TaskId = result.TaskId,
            Outcome = result.Outcome.ToWireName(),
            Reason = result.Reason ?? "",
            HasReason = result.Reason is not null,
            Attempts = result.Attempts,
            StartedAtUnixMs = result.StartedAt?.ToUnixTimeMilliseconds() ?? 0,
            DurationUs = Micros(result.Duration),
            LogPath = result.LogPath ?? "",
            HasExitCode = result.ExitCode is not null,
            ExitCode = result.ExitCode ?? 0,
            Reused = result.Reused,
        };
        AddSubResults(wire.SubResults, result.SubResults);
        foreach (var (name, value) in result.Outputs) wire.Outputs[name] = value;
        AddArtifacts(wire.Artifacts, result.Artifacts);
        return wire;
    }

    private static TaskResult ToResult(RunTaskResult wire) => new()
    {
        TaskId = wire.TaskId,
        Outcome = ParseOutcome(wire.Outcome),
        Reason = wire.HasReason ? wire.Reason : null,
        Attempts = wire.Attempts,
        StartedAt = wire.StartedAtUnixMs != 0 ? DateTimeOffset.FromUnixTimeMilliseconds(wire.StartedAtUnixMs) : null,
        Duration = TimeSpan.FromMicroseconds(wire.DurationUs),
        SubResults = ToSubResults(wire.SubResults),
        LogPath = wire.LogPath.Length > 0 ? wire.LogPath : null,
        ExitCode = wire.HasExitCode ? wire.ExitCode : null,
        Reused = wire.Reused,
        Outputs = wire.Outputs.Count == 0 ? TaskOutputs.None : new Dictionary<string, string>(wire.Outputs, StringComparer.Ordinal),
        Artifacts = ToArtifacts(wire.Artifacts),
    };

    public static RunEnded ToEnded(RunSummary summary)
    {
        var ended = new RunEnded
        {
            Status = summary.Status.ToString().ToLowerInvariant(),
            StartedAtUnixMs = summary.StartedAt.ToUnixTimeMilliseconds(),
            DurationUs = Micros(summary.Duration),
        };
        foreach (var outcome in Enum.GetValues<Outcome>())
        {
            if (summary.Count(outcome) > 0) ended.Counts.Add(new RunOutcomeCount { Outcome = outcome.ToWireName(), Count = summary.Count(outcome) });
        }
        return ended;
    }

    public static HostedRunEnd ToEnd(RunEnded ended)
    {
        var counts = new Dictionary<Outcome, int>();
        foreach (var count in ended.Counts) counts[ParseOutcome(count.Outcome)] = count.Count;
        return new HostedRunEnd(
            Enum.TryParse<RunStatus>(ended.Status, ignoreCase: true, out var status) ? status : RunStatus.Failed,
            DateTimeOffset.FromUnixTimeMilliseconds(ended.StartedAtUnixMs),
            TimeSpan.FromMicroseconds(ended.DurationUs),
            counts,
            ended.Error.Length > 0 ? ended.Error : null);
    }

    // ── the journal's records ────────────────────────────────────────────────────────────────────

    public static RunListing ToWire(JournalRunSummary run)
    {
        var listing = new RunListing
        {
            RunId = run.Id,
            JobName = run.JobName,
            State = run.State.ToString().ToLowerInvariant(),
            StartedAtUnixMs = run.StartedAt.ToUnixTimeMilliseconds(),
            EndedAtUnixMs = run.EndedAt?.ToUnixTimeMilliseconds() ?? 0,
            TaskCount = run.TaskCount,
        };
        foreach (var outcome in Enum.GetValues<Outcome>())
        {
            if (run.Counts[outcome] > 0) listing.Counts.Add(new RunOutcomeCount { Outcome = outcome.ToWireName(), Count = run.Counts[outcome] });
        }
        return listing;
    }

    public static JournalRunSummary ToSummary(RunListing listing)
    {
        var counts = new int[7];
        foreach (var count in listing.Counts) counts[(int)ParseOutcome(count.Outcome)] = count.Count;
        return new JournalRunSummary
        {
            Id = listing.RunId,
            JobName = listing.JobName,
            State = Enum.TryParse<RunState>(listing.State, ignoreCase: true, out var state) ? state : RunState.Interrupted,
            StartedAt = DateTimeOffset.FromUnixTimeMilliseconds(listing.StartedAtUnixMs),
            EndedAt = listing.EndedAtUnixMs != 0 ? DateTimeOffset.FromUnixTimeMilliseconds(listing.EndedAtUnixMs) : null,
            TaskCount = listing.TaskCount,
            Counts = new OutcomeCounts(
                counts[(int)Outcome.Passed], counts[(int)Outcome.Warned], counts[(int)Outcome.Skipped], counts[(int)Outcome.Failed],
                counts[(int)Outcome.TimedOut], counts[(int)Outcome.Errored], counts[(int)Outcome.Cancelled]),
        };
    }

    /// <param name="waitingFor">What a task of the run waits for now, when the run is hosted here; null otherwise.</param>
    public static ShowRunReply ToWire(RunDetails details, Func<string, string?>? waitingFor = null)
    {
        var reply = new ShowRunReply
        {
            Run = ToWire(details.Summary),
            JobFile = details.JobFile ?? "",
            CommandLine = details.CommandLine ?? "",
            ResumedFrom = details.ResumedFrom ?? 0,
            Host = details.Host,
            ProcessId = details.ProcessId,
        };
        foreach (var task in details.Tasks)
        {
            var wire = new RunTaskDetails
            {
                TaskId = task.TaskId,
                Progress = task.Progress.ToString().ToLowerInvariant(),
                Outcome = task.Outcome?.ToWireName() ?? "",
                Reason = task.Reason ?? "",
                HasReason = task.Reason is not null,
                Attempts = task.Attempts,
                DurationUs = task.Duration is { } d ? Micros(d) : 0,
                HasDuration = task.Duration is not null,
                Reused = task.Reused,
                ReusedFrom = task.ReusedFrom ?? 0,
                Group = task.Group ?? "",
            };
            if (task.Progress == TaskProgress.Running && waitingFor?.Invoke(task.TaskId) is { } waiting) wire.Waiting = waiting;
            AddSubResults(wire.SubResults, task.SubResults);
            foreach (var (name, value) in task.Outputs) wire.Outputs[name] = value;
            AddArtifacts(wire.Artifacts, task.Artifacts);
            reply.Tasks.Add(wire);
        }
        return reply;
    }

    public static RunDetails ToDetails(ShowRunReply reply) => new()
    {
        Summary = ToSummary(reply.Run),
        JobFile = reply.JobFile.Length > 0 ? reply.JobFile : null,
        CommandLine = reply.CommandLine.Length > 0 ? reply.CommandLine : null,
        ResumedFrom = reply.ResumedFrom != 0 ? reply.ResumedFrom : null,
        Host = reply.Host,
        ProcessId = reply.ProcessId,
        Tasks = reply.Tasks.Select(task => new TaskDetails
        {
            TaskId = task.TaskId,
            Group = task.Group.Length > 0 ? task.Group : null,
            Progress = Enum.TryParse<TaskProgress>(task.Progress, ignoreCase: true, out var progress) ? progress : TaskProgress.Pending,
            Outcome = task.Outcome.Length > 0 ? ParseOutcome(task.Outcome) : null,
            Reason = task.HasReason ? task.Reason : null,
            Attempts = task.Attempts,
            Duration = task.HasDuration ? TimeSpan.FromMicroseconds(task.DurationUs) : null,
            Reused = task.Reused,
            ReusedFrom = task.ReusedFrom != 0 ? task.ReusedFrom : null,
            SubResults = ToSubResults(task.SubResults),
            Outputs = task.Outputs.Count == 0 ? TaskOutputs.None : new Dictionary<string, string>(task.Outputs, StringComparer.Ordinal),
            Waiting = task.Waiting.Length > 0 ? task.Waiting : null,
            Artifacts = ToArtifacts(task.Artifacts),
        }).ToList(),
    };

    public static RunAttempt ToWire(AttemptDetails attempt, string? node) => new()
    {
        Attempt = attempt.Attempt,
        StartedAtUnixMs = attempt.StartedAt?.ToUnixTimeMilliseconds() ?? 0,
        FinishedAtUnixMs = attempt.FinishedAt?.ToUnixTimeMilliseconds() ?? 0,
        Outcome = attempt.Outcome?.ToWireName() ?? "",
        Reason = attempt.Reason ?? "",
        HasReason = attempt.Reason is not null,
        HasExitCode = attempt.ExitCode is not null,
        ExitCode = attempt.ExitCode ?? 0,
        LogPath = attempt.LogPath ?? "",
        Node = node ?? "",
    };

    public static AttemptDetails ToDetails(RunAttempt wire) => new()
    {
        Attempt = wire.Attempt,
        StartedAt = wire.StartedAtUnixMs != 0 ? DateTimeOffset.FromUnixTimeMilliseconds(wire.StartedAtUnixMs) : null,
        FinishedAt = wire.FinishedAtUnixMs != 0 ? DateTimeOffset.FromUnixTimeMilliseconds(wire.FinishedAtUnixMs) : null,
        Outcome = wire.Outcome.Length > 0 ? ParseOutcome(wire.Outcome) : null,
        Reason = wire.HasReason ? wire.Reason : null,
        ExitCode = wire.HasExitCode ? wire.ExitCode : null,
        LogPath = wire.LogPath.Length > 0 ? wire.LogPath : null,
        Node = wire.Node.Length > 0 ? wire.Node : null,
    };

    // ── helpers ──────────────────────────────────────────────────────────────────────────────────

    private static void AddSubResults(RepeatedField<RunSubResult> into, IReadOnlyList<SubResult> subResults)
    {
        foreach (var sub in subResults)
            into.Add(new RunSubResult { Name = sub.Name, Outcome = sub.Outcome.ToWireName(), Message = sub.Message ?? "", HasMessage = sub.Message is not null });
    }

    private static SubResult[] ToSubResults(RepeatedField<RunSubResult> wire)
    {
        if (wire.Count == 0) return [];
        var subs = new SubResult[wire.Count];
        for (var i = 0; i < subs.Length; i++) subs[i] = new SubResult(wire[i].Name, ParseOutcome(wire[i].Outcome), wire[i].HasMessage ? wire[i].Message : null);
        return subs;
    }

    private static void AddArtifacts(RepeatedField<Protocol.Artifacts.ArtifactRef> into, IReadOnlyList<ArtifactFile> files)
    {
        foreach (var file in files) into.Add(new Protocol.Artifacts.ArtifactRef { Path = file.Path, Size = file.Size, Sha256 = file.Sha256 });
    }

    private static ArtifactFile[] ToArtifacts(RepeatedField<Protocol.Artifacts.ArtifactRef> wire) =>
        wire.Count == 0 ? [] : [.. wire.Select(a => new ArtifactFile(a.Path, a.Size, a.Sha256))];

    public static Outcome ParseOutcome(string text) =>
        OutcomeExtensions.TryParse(text, out var outcome) ? outcome : Outcome.Errored;

    private static long Micros(TimeSpan duration) => (long)(duration.Ticks / (double)TimeSpan.TicksPerMicrosecond);

    public static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);
}
