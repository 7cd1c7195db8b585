using System.Globalization;

namespace Skein.Bench.Rpc.Hosting;

/// <summary>
/// How a child server reports the bytes it has allocated: the parent writes <see cref="Query"/> on the child's stdin,
/// the child answers "<see cref="Answer"/> N" on stdout with <see cref="GC.GetTotalAllocatedBytes(bool)"/> (precise).
/// The parent reads it before and after a measured window, so the server's bytes per call are known as the client's are.
/// </summary>
internal static class AllocationQueries
{
    public const string Query = "allocated?";
    public const string Answer = "allocated";

    private static readonly object Gate = new();

    /// <summary>
    /// The child side: answers queries until stdin closes (which is also how the parent says "stop"). A line that is
    /// not <see cref="Query"/> goes to <paramref name="otherQuestions"/>, whose answer (if any) is printed as a line.
    /// </summary>
    public static async Task ServeUntilStdinClosesAsync(Func<string, string?>? otherQuestions = null)
    {
        using var stdin = new StreamReader(Console.OpenStandardInput());
        while (await stdin.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            line = line.Trim();
            var answer = line == Query
                ? $"{Answer} {GC.GetTotalAllocatedBytes(precise: true).ToString(CultureInfo.InvariantCulture)}"
                : otherQuestions?.Invoke(line);
            if (answer is null) continue;
            lock (Gate)
            {
                Console.Out.WriteLine(answer);
                Console.Out.Flush();
            }
        }
    }

    /// <summary>The parent side: the number in an answer line, or null when the line is something else.</summary>
    public static long? Parse(string line) =>
        line.StartsWith(Answer + " ", StringComparison.Ordinal)
        && long.TryParse(line.AsSpan(Answer.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var bytes)
            ? bytes
            : null;
}
