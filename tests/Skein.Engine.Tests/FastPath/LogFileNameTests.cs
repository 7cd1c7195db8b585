using Skein.Shared.Text;

namespace Skein.Engine.Tests.FastPath;

/// <summary>Every task id gets a log file name of its own, safe to create in the run's log folder.</summary>
public class LogFileNameTests
{
    private static readonly string[] Ids =
    [
        "build", "a/b", "a_b", "a b", "a%2Fb", "a%2Fb_", "тест", "мост", "____", ".hidden", "_hidden", "%2Ehidden", ".", "..",
        "a\\b", "a:b", "a\nb", "a\u00e9", "ae\u0301", "\ud800x", "\udc00x", "x~1", new string('a', 300), new string('a', 301),
        new string('я', 150), new string('я', 151), "日本語/テスト",
    ];

    [Fact]
    public void Different_ids_never_share_a_name()
    {
        var names = Ids.Select(FileNames.Escape).ToList();
        Assert.Equal(Ids.Length, names.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Names_are_plain_file_names_within_the_length_limit()
    {
        foreach (var id in Ids)
        {
            var name = FileNames.Escape(id);
            Assert.DoesNotContain('/', name);
            Assert.DoesNotContain('\0', name);
            Assert.False(name.StartsWith('.'), $"'{name}' would be hidden");
            Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(name + ".99.log"), 1, 255);
        }
    }

    [Fact]
    public void Plain_ids_and_letters_of_any_script_stay_readable()
    {
        Assert.Equal("build-1.x_y", FileNames.Escape("build-1.x_y"));
        Assert.Equal("тест", FileNames.Escape("тест"));
        Assert.Equal("a%2Fb", FileNames.Escape("a/b"));
        Assert.Equal("a%20b", FileNames.Escape("a b"));
        Assert.Equal("%2Ehidden", FileNames.Escape(".hidden"));
    }
}
