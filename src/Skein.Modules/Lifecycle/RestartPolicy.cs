using System.Globalization;
using Skein.Engine;

namespace Skein.Modules.Lifecycle;

/// <summary>
/// Whether and how fast a module is restarted: the <see cref="Mode"/>, the backoff between restarts (doubling
/// from <see cref="Backoff"/> up to <see cref="MaxBackoff"/>, each wait jittered by up to a quarter either way) and the limit of <see cref="MaxRestarts"/> restarts
/// <see cref="Within"/> a sliding window, past which the supervisor gives up.
/// </summary>
public sealed record RestartPolicy
{
    public static RestartPolicy Default { get; } = new();

    public RestartMode Mode { get; init; } = RestartMode.Permanent;

    /// <summary>Restarts allowed inside <see cref="Within"/>; one more crash there and the module stays failed. 0 means never restart.</summary>
    public int MaxRestarts { get; init; } = 5;

    public TimeSpan Within { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The wait before the first restart in the window; each further restart in the window waits twice as long.</summary>
    public TimeSpan Backoff { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>True when the policy wants a run that ended with <paramref name="exit"/> started again.</summary>
    public bool ShouldRestart(ModuleExit exit) => Mode switch
    {
        RestartMode.Permanent => true,
        RestartMode.Transient => exit.IsAbnormal,
        _ => false,
    };

    /// <summary>
    /// The wait before a restart, before jitter, when <paramref name="restartsInWindow"/> restarts already happened
    /// inside the window. The supervisor's actual wait is this, spread by up to a quarter either way, never past <see cref="MaxBackoff"/>.
    /// </summary>
    public TimeSpan BackoffFor(int restartsInWindow)
    {
        var delay = Backoff;
        // Doubling stepwise, capped each time, cannot overflow however many restarts the window holds.
        for (var i = 0; i < restartsInWindow && delay < MaxBackoff; i++)
            delay = delay > MaxBackoff / 2 ? MaxBackoff : delay * 2;
        return delay < MaxBackoff ? delay : MaxBackoff;
    }

    // The longest wait between restarts: the longest delay Polly's retry, which waits it, accepts.
    private static readonly TimeSpan LongestBackoff = TimeSpan.FromDays(1);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first value that makes no sense.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Mode)) throw new ArgumentException($"restart: {(int)Mode} is not permanent, transient or temporary");
        if (MaxRestarts < 0) throw new ArgumentException($"max-restarts: {MaxRestarts} is below 0");
        if (Within <= TimeSpan.Zero) throw new ArgumentException($"within: {Durations.Format(Within)} must be longer than zero");
        if (Backoff < TimeSpan.Zero) throw new ArgumentException($"backoff: {Backoff} is negative");
        if (MaxBackoff < Backoff)
            throw new ArgumentException($"max-backoff: {Durations.Format(MaxBackoff)} is shorter than backoff ({Durations.Format(Backoff)})");
        if (MaxBackoff > LongestBackoff)
            throw new ArgumentException($"max-backoff: {Durations.Format(MaxBackoff)} is longer than {Durations.Format(LongestBackoff)}, the longest wait between restarts");
    }

    /// <summary>
    /// Builds a policy from module.yaml's scalars as written (<c>restart: transient</c>, <c>max-restarts: 5</c>,
    /// <c>within: 60s</c>, <c>backoff: 100ms</c>, <c>max-backoff: 5s</c>); a null value keeps the default.
    /// Throws a <see cref="FormatException"/> naming the key and the bad value.
    /// </summary>
    public static RestartPolicy Parse(string? restart, string? maxRestarts = null, string? within = null, string? backoff = null, string? maxBackoff = null)
    {
        var policy = Default;
        if (restart is not null) policy = policy with { Mode = ParseMode(restart) };
        if (maxRestarts is not null) policy = policy with { MaxRestarts = ParseCount("max-restarts", maxRestarts) };
        if (within is not null) policy = policy with { Within = ParseDuration("within", within, allowZero: false) };
        if (backoff is not null) policy = policy with { Backoff = ParseDuration("backoff", backoff, allowZero: true) };
        if (maxBackoff is not null) policy = policy with { MaxBackoff = ParseDuration("max-backoff", maxBackoff, allowZero: true) };
        try
        {
            policy.Validate();
        }
        catch (ArgumentException e)
        {
            throw new FormatException(e.Message, e);
        }
        return policy;
    }

    /// <summary>Reads <c>permanent</c>, <c>transient</c> or <c>temporary</c> (any case, surrounding spaces ignored).</summary>
    public static RestartMode ParseMode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Trim().ToLowerInvariant() switch
        {
            "permanent" => RestartMode.Permanent,
            "transient" => RestartMode.Transient,
            "temporary" => RestartMode.Temporary,
            _ => throw new FormatException($"restart: '{text}' is not permanent, transient or temporary"),
        };
    }

    private static int ParseCount(string key, string text) =>
        int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? count
            : throw new FormatException($"{key}: '{text}' is not a whole number of 0 or more");

    private static TimeSpan ParseDuration(string key, string text, bool allowZero)
    {
        if (!Durations.TryParse(text, out var duration))
        {
            var hint = int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var bare) ? $" (did you mean {bare}s?)" : "";
            throw new FormatException($"{key}: '{text}' is not a duration{hint}; write a number and a unit: 500ms, 30s, 5m, 1h");
        }
        if (!allowZero && duration <= TimeSpan.Zero) throw new FormatException($"{key}: '{text}' must be longer than zero");
        return duration;
    }
}
