namespace Skein.Engine.Tests.Support;

/// <summary>
/// Watches who holds each named resource from inside the tasks themselves, and remembers any moment a claimer
/// shared a resource with anyone.
/// </summary>
internal sealed class ResourceTracker
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (int Claimers, int Users)> _holders = new(StringComparer.Ordinal);
    private readonly List<string> _violations = [];
    private int _maxUsers;

    public IReadOnlyList<string> Violations
    {
        get { lock (_lock) return [.. _violations]; }
    }

    public int MaxUsers
    {
        get { lock (_lock) return _maxUsers; }
    }

    public void Enter(string task, IReadOnlyList<string> claims, IReadOnlyList<string> uses)
    {
        lock (_lock)
        {
            foreach (var name in claims)
            {
                var (c, u) = _holders.GetValueOrDefault(name);
                if (c > 0 || u > 0) _violations.Add($"{task} claimed '{name}' while {c} claimer(s) and {u} user(s) held it");
                _holders[name] = (c + 1, u);
            }
            foreach (var name in uses)
            {
                var (c, u) = _holders.GetValueOrDefault(name);
                if (c > 0) _violations.Add($"{task} used '{name}' while it was claimed");
                _holders[name] = (c, u + 1);
                _maxUsers = Math.Max(_maxUsers, u + 1);
            }
        }
    }

    public void Exit(IReadOnlyList<string> claims, IReadOnlyList<string> uses)
    {
        lock (_lock)
        {
            foreach (var name in claims)
            {
                var (c, u) = _holders[name];
                _holders[name] = (c - 1, u);
            }
            foreach (var name in uses)
            {
                var (c, u) = _holders[name];
                _holders[name] = (c, u - 1);
            }
        }
    }

    /// <summary>A task that reports its claims and uses to the tracker for as long as <paramref name="body"/> runs.</summary>
    public TaskSpec Task(string id, string[] claims, string[] uses, Func<CancellationToken, Task> body, string? group = null, params string[] needs) => new()
    {
        Id = id,
        Claims = claims,
        Uses = uses,
        Group = group,
        Needs = needs,
        Action = DelegateAction.From(async (_, ct) =>
        {
            Enter(id, claims, uses);
            try
            {
                await body(ct);
            }
            finally
            {
                Exit(claims, uses);
            }
        }),
    };
}
