namespace Skein.Engine.JobFiles;

/// <summary>The keys format version 1 knows, per place; docs/job-files.md describes each.</summary>
internal static class JobFileKeys
{
    public const string Version = "version";
    public const string Name = "name";
    public const string Defaults = "defaults";
    public const string Groups = "groups";
    public const string Tasks = "tasks";

    public const string Run = "run";
    public const string Needs = "needs";
    public const string Provides = "provides";
    public const string Claims = "claims";
    public const string Uses = "uses";
    public const string Priority = "priority";
    public const string Timeout = "timeout";
    public const string Retries = "retries";
    public const string RetryDelay = "retry-delay";
    public const string RetryBackoff = "retry-backoff";
    public const string Group = "group";
    public const string Workdir = "workdir";
    public const string Env = "env";
    public const string KillGrace = "kill-grace";
    public const string WarnExitCodes = "warn-exit-codes";
    public const string Matrix = "matrix";
    public const string Foreach = "foreach";
    public const string FollowSymlinks = "follow-symlinks";
    public const string Description = "description";

    public const string Workers = "workers";

    public const string Artifacts = "artifacts";
    public const string Limits = "limits";

    public const string Resources = "resources";
    public const string On = "on";
    public const string Call = "call";
    public const string Args = "args";
    public const string Cores = "cores";
    public const string Memory = "memory";
    public const string Labels = "labels";
    public const string Node = "node";
    public const string Host = "host";

    public static readonly IReadOnlyList<string> InResources = [Cores, Memory];

    public static readonly IReadOnlyList<string> InOn = [Labels, Node, Host];

    public static readonly IReadOnlyList<string> TopLevel = [Version, Name, Defaults, Groups, Tasks, Limits];

    public static readonly IReadOnlyList<string> InLimits = [Artifacts];

    public static readonly IReadOnlyList<string> InDefaults = [Timeout, Retries, Workdir, Env, KillGrace, RetryDelay, RetryBackoff];

    public static readonly IReadOnlyList<string> InGroup = [Workers];

    public static readonly IReadOnlyList<string> InTask =
    [
        Run, Needs, Provides, Claims, Uses, Priority, Timeout, Retries, RetryDelay, RetryBackoff, Group, Workdir, Env, KillGrace, WarnExitCodes,
        Matrix, Foreach, FollowSymlinks, Description, Version, Resources, On, Call, Args, Artifacts,
    ];
}
