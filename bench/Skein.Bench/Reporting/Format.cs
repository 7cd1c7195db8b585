using System.Globalization;

namespace Skein.Bench.Reporting;

internal static class Format
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Rate(double perSecond) => perSecond.ToString("N0", Invariant) + " tasks/s";

    public static string Count(long count) => count.ToString("N0", Invariant);

    public static string Ratio(double ratio) => ratio.ToString("0.00", Invariant);

    public static string Bytes(double bytes) => bytes switch
    {
        >= 1 << 30 => (bytes / (1 << 30)).ToString("0.00", Invariant) + " GiB",
        >= 1 << 20 => (bytes / (1 << 20)).ToString("0.0", Invariant) + " MiB",
        >= 1 << 10 => (bytes / (1 << 10)).ToString("0.0", Invariant) + " KiB",
        _ => bytes.ToString("0", Invariant) + " B",
    };

    public static string Duration(TimeSpan time) => time.TotalSeconds >= 1
        ? time.TotalSeconds.ToString("0.000", Invariant) + " s"
        : time.TotalMilliseconds.ToString("0.0", Invariant) + " ms";

    public static string Number(double value, string format = "0.0") => value.ToString(format, Invariant);
}
