using Skein.Engine.Tests.Support;
using Skein.Shared.Artifacts;

namespace Skein.Engine.Tests.Artifacts;

/// <summary>Artifact patterns: what they refuse, what they match, and the paths that may arrive from elsewhere.</summary>
public class ArtifactGlobTests : IDisposable
{
    private readonly string _dir = Runs.TempDir();

    public ArtifactGlobTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("/etc/passwd", "must be relative")]
    [InlineData("../secret", "goes up with '..'")]
    [InlineData("dist/../../x", "goes up with '..'")]
    [InlineData("dist//x", "empty path segment")]
    [InlineData("dist/[ab", "no closing ']'")]
    [InlineData("dist/a**b", "'**' stands for whole directories")]
    [InlineData("dist\\x", "separate directories with '/'")]
    [InlineData("", "must not be empty")]
    [InlineData(".", "names the working directory itself")]
    public void Bad_patterns_are_refused_with_the_reason(string pattern, string reason)
    {
        var problem = ArtifactGlob.Check(pattern);
        Assert.NotNull(problem);
        Assert.Contains(reason, problem);
    }

    [Fact]
    public void Patterns_match_within_segments_and_across_directories()
    {
        foreach (var path in (string[])["dist/a.tar.gz", "dist/b.zip", "dist/sub/c.tar.gz", "report/index.html", "report/x/y/z.txt", "other/a.tar.gz", ".hidden/h.txt"])
        {
            var full = Path.Combine(_dir, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, path);
        }
        File.CreateSymbolicLink(Path.Combine(_dir, "dist", "link.tar.gz"), Path.Combine(_dir, "dist", "a.tar.gz"));
        Directory.CreateSymbolicLink(Path.Combine(_dir, "report", "up"), _dir);

        var (files, problem) = ArtifactFinder.Find(_dir, [.. new[] { "dist/*.tar.gz", "report/**", "!report/x/**", "./.hidden/?.txt" }.Select(ArtifactGlob.Parse)]);

        Assert.Null(problem);
        Assert.Equal([".hidden/h.txt", "dist/a.tar.gz", "report/index.html"], files);
    }

    [Theory]
    [InlineData("$(touch x).txt", true)]
    [InlineData("dir/with space/ünïcode.bin", true)]
    [InlineData("../x", false)]
    [InlineData("a/./b", false)]
    [InlineData("/abs", false)]
    [InlineData("a\0b", false)]
    [InlineData("", false)]
    public void Paths_from_elsewhere_are_checked(string path, bool fine) => Assert.Equal(fine, ArtifactPaths.Check(path) is null);

    [Fact]
    public void A_name_longer_than_a_file_system_allows_is_refused()
    {
        Assert.Contains("longer than 255 bytes", ArtifactPaths.Check("dir/" + new string('x', 300)));
        Assert.Null(ArtifactPaths.Check("dir/" + new string('x', 255)));
    }

    [Fact]
    public void Placing_a_file_never_passes_through_a_symlink_out_of_the_directory()
    {
        var outside = Path.Combine(_dir, "outside");
        var root = Path.Combine(_dir, "root");
        Directory.CreateDirectory(outside);
        Directory.CreateDirectory(root);
        Directory.CreateSymbolicLink(Path.Combine(root, "dist"), outside);

        Assert.Null(ArtifactPaths.Prepare(root, "dist/x.txt", out var problem));
        Assert.Contains("is a symlink", problem);
        Assert.Equal(Path.Combine(root, "new", "deep", "x.txt"), ArtifactPaths.Prepare(root, "new/deep/x.txt", out _));
        Assert.True(Directory.Exists(Path.Combine(root, "new", "deep")));
    }
}
