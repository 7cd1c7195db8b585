using System.Globalization;
using System.Text;

namespace Skein.Cluster.Barriers;

/// <summary>
/// The bounds of the coordinator's barriers: what one arrival may bring and how much the coordinator holds at once.
/// The client checks them before sending, so a mistake is an <see cref="ArgumentException"/> at once; the coordinator
/// checks them again for clients in other languages.
/// </summary>
internal static class BarrierLimits
{
    /// <summary>The longest barrier or participant name, in characters.</summary>
    public const int MaxNameLength = 200;

    /// <summary>The most participants one barrier waits for.</summary>
    public const int MaxCount = 1024;

    /// <summary>The largest context one participant brings, in UTF-8 bytes.</summary>
    public const int MaxContextBytes = 64 * 1024;

    /// <summary>The contexts of one meeting together, in UTF-8 bytes: the reply carries them all, and must fit a client's 4 MiB receive limit.</summary>
    public const int MaxMeetingContextBytes = 2 * 1024 * 1024;

    /// <summary>The most barriers with someone waiting that the coordinator holds at once.</summary>
    public const int MaxOpenBarriers = 1024;

    /// <summary>The longest a participant may wait.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromDays(1);

    /// <summary>The problem with an arrival's fields, naming it; null when they are within bounds.</summary>
    public static string? Problem(string barrier, string participant, int count, IReadOnlyCollection<string> expected, string context, TimeSpan timeout)
    {
        if (NameProblem("barrier name", barrier) is { } name) return name;
        if (NameProblem($"participant name (at barrier '{barrier}')", participant) is { } who) return who;
        if (count < 1 || count > MaxCount)
            return Invariant($"barrier '{barrier}': the count must be 1 to {MaxCount:N0} participants, not {count:N0}");
        if (expected.Count > 0)
        {
            if (expected.Count != count)
                return Invariant($"barrier '{barrier}': {expected.Count:N0} participants are declared but the count is {count:N0}");
            foreach (var declared in expected)
                if (NameProblem($"declared participant name (at barrier '{barrier}')", declared) is { } bad) return bad;
            var duplicate = expected.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null) return $"barrier '{barrier}': the participant '{duplicate.Key}' is declared twice";
            if (!expected.Contains(participant, StringComparer.Ordinal))
                return $"barrier '{barrier}': the participant '{participant}' is not one of those declared ({string.Join(", ", expected)})";
        }
        var bytes = Encoding.UTF8.GetByteCount(context);
        if (bytes > MaxContextBytes)
            return Invariant($"barrier '{barrier}': the context of '{participant}' is {bytes:N0} bytes, over the limit of {MaxContextBytes:N0} bytes (64 KiB); exchange a reference to large data (a path, a URL) instead");
        if (timeout <= TimeSpan.Zero || timeout > MaxTimeout)
            return $"barrier '{barrier}': the timeout must be positive and at most a day, not {timeout}";
        return null;
    }

    private static string? NameProblem(string what, string name)
    {
        if (name.Length == 0) return $"the {what} is empty";
        if (name.Length > MaxNameLength) return Invariant($"the {what} '{name[..40]}…' is {name.Length:N0} characters, over the limit of {MaxNameLength}");
        if (name.Any(char.IsControl)) return $"the {what} '{Printable(name)}' holds a control character";
        return null;
    }

    private static string Printable(string text) => string.Concat(text.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
