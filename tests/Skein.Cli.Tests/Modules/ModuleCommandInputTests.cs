namespace Skein.Cli.Tests.Modules;

/// <summary>
/// The real skein CLI checks module names and paths before it connects anywhere: a bad one is exit 2 with the value and
/// the rule or limit, and no stack trace.
/// </summary>
public sealed class ModuleCommandInputTests
{
    [Theory]
    [InlineData("load", "stats.py", "--name", "../../x y")]
    [InlineData("unload", "../../x y")]
    [InlineData("reload", ".hidden")]
    public async Task A_module_name_outside_the_pattern_is_exit_2_naming_it_and_the_rule(params string[] args)
    {
        using var dir = new TempDirectory();

        var result = await SkeinProcess.RunAsync(dir.Path, ["module", .. args]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains($"'{args[^1]}' is not a valid module name: use 1 to 64 letters, digits, '-', '_' and '.'", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public async Task A_module_path_over_the_limit_is_exit_2_naming_the_limit()
    {
        using var dir = new TempDirectory();

        var result = await SkeinProcess.RunAsync(dir.Path, "module", "load", "/" + new string('a', 5000));

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("the module path is too long: 5001 characters, over the limit of 4096", result.Stderr, StringComparison.Ordinal);
    }
}
