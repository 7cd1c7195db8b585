using Skein.Engine.JobFiles;
using Skein.Yaml;

namespace Skein.Engine.Tests.JobFiles;

public sealed class DurationTextTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1h2m3s4ms", 3_723_004)]
    [InlineData("1.5s", 1_500)]
    [InlineData("0s", 0)]
    public void Reads_units_and_combinations(string text, int milliseconds)
    {
        Assert.True(DurationText.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("30")]
    [InlineData("s")]
    [InlineData("5 m")]
    [InlineData("5d")]
    [InlineData("-5s")]
    [InlineData("1m30")]
    [InlineData("1..5s")]
    [InlineData("99999999999999h")]
    public void Rejects_anything_else(string text)
    {
        Assert.False(DurationText.TryParse(text, out _));
    }
}
