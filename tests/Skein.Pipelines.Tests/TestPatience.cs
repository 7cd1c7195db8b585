using System.Globalization;

namespace Skein.Pipelines.Tests;

/// <summary>
/// How long a test waits for something it expects before it gives up: a ceiling, not a pace. On a loaded machine
/// (other builds, other test assemblies) a start-up or a message can take many times longer than on a quiet one;
/// a wait that ends early fails a correct build. SKEIN_TEST_PATIENCE (seconds) raises or lowers it for a machine.
/// </summary>
internal static class TestPatience
{
    public static readonly TimeSpan Ceiling = Read(Environment.GetEnvironmentVariable("SKEIN_TEST_PATIENCE"));

    private static TimeSpan Read(string? seconds) =>
        double.TryParse(seconds, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0
            ? TimeSpan.FromSeconds(value)
            : TimeSpan.FromSeconds(120);
}
