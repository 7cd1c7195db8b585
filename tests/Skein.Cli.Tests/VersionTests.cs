namespace Skein.Cli.Tests;

public class VersionTests
{
    [Fact]
    public async Task The_version_comes_from_the_repository()
    {
        using var dir = new TempDirectory();
        var result = await SkeinProcess.RunAsync(dir.Path, "--version");
        Assert.True(result.ExitCode == 0, result.ToString());
        var version = result.Stdout.Trim();
        Assert.Matches(@"^\d+\.\d+\.\d+(\+[0-9a-f]+)?$", version);
        // Built inside a git checkout, the patch number counts the commits: each pack is newer than the last.
        if (RepositoryRoot() is { } root && Path.Exists(Path.Combine(root, ".git")))
            Assert.NotEqual("0.1.0", version.Split('+')[0]);
    }

    private static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Skein.sln"))) return dir.FullName;
        }
        return null;
    }
}
