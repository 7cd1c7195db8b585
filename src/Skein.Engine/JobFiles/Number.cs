using System.Globalization;

namespace Skein.Engine.JobFiles;

/// <summary>Counts in messages, grouped the same way whatever the machine's culture: "10,000".</summary>
internal static class Number
{
    public static string Text(long count) => count.ToString("N0", CultureInfo.InvariantCulture);
}
