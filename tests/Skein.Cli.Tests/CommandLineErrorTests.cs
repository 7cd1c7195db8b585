namespace Skein.Cli.Tests;

/// <summary>Mistakes on the command line: each named with what was probably meant, on lines that start "skein: ", exit 2.</summary>
public class CommandLineErrorTests
{
    [Fact]
    public async Task A_misspelt_command_suggests_the_nearest_one()
    {
        using var dir = new TempDirectory();
        var result = await SkeinProcess.RunAsync(dir.Path, "rn", "job.yaml");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("skein: unknown command 'rn' — did you mean 'run'?", result.Stderr.Trim());
    }

    [Fact]
    public async Task A_misspelt_subcommand_suggests_the_nearest_one_of_its_parent()
    {
        using var dir = new TempDirectory();
        var result = await SkeinProcess.RunAsync(dir.Path, "module", "lod", "m.dll");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("skein: unknown command 'lod' — did you mean 'load'?", result.Stderr.Trim());
    }

    [Fact]
    public async Task A_command_nothing_resembles_points_to_help()
    {
        using var dir = new TempDirectory();
        var result = await SkeinProcess.RunAsync(dir.Path, "frobnicate");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("skein: unknown command 'frobnicate'", result.Stderr);
        Assert.DoesNotContain("did you mean", result.Stderr);
        Assert.Contains("skein --help", result.Stderr);
    }

    [Fact]
    public async Task A_misspelt_option_suggests_the_nearest_option_of_that_command()
    {
        using var dir = new TempDirectory();
        var result = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--dry-rn");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("skein: unknown option '--dry-rn' — did you mean '--dry-run'?", result.Stderr.Trim());
    }

    [Fact]
    public async Task A_misspelt_option_before_the_arguments_is_not_taken_for_one()
    {
        // The parser would read "--timout" as SERVICE and "5s" as METHOD.
        using var dir = new TempDirectory();
        var result = await SkeinProcess.RunAsync(dir.Path, "call", "--timout", "5s", "counter", "Get");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("skein: unknown option '--timout' — did you mean '--timeout'?", result.Stderr.Trim());
    }

    [Fact]
    public async Task A_duration_without_a_unit_suggests_seconds()
    {
        using var dir = new TempDirectory();
        var result = await SkeinProcess.RunAsync(dir.Path, "call", "counter", "Get", "--timeout", "5");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("skein: --timeout 5 has no unit — did you mean 5s?", result.Stderr.Trim());
    }

    [Fact]
    public async Task A_directory_given_as_the_job_file_is_called_a_directory()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("somedir"));
        foreach (var command in new[] { "run", "validate" })
        {
            var result = await SkeinProcess.RunAsync(dir.Path, command, "somedir");
            Assert.True(result.ExitCode == 2, result.ToString());
            Assert.Equal("skein: somedir is a directory, not a job file", result.Stderr.Trim());
        }
    }

    [Fact]
    public async Task A_directory_given_as_the_configuration_file_is_called_a_directory()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("conf"));
        var result = await SkeinProcess.RunAsync(dir.Path, "coordinator", "--config", "conf", "--listen", "127.0.0.1:0");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("skein: conf is a directory, not a configuration file", result.Stderr);
    }

    [Fact]
    public async Task A_report_that_cannot_be_written_names_the_report_not_a_temporary_file()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", "name: r\ntasks:\n  a: { run: \"true\" }\n");
        Directory.CreateDirectory(dir.File("out.xml"));
        var result = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--junit", "out.xml");
        Assert.Contains("skein: the JUnit report was not written: out.xml is a directory, not a report file", result.Stderr);
        Assert.DoesNotContain(".tmp", result.Stderr);
    }

    [Fact(Timeout = TestPatience.WholeTest)]
    public async Task A_connection_file_that_cannot_be_written_names_the_file_not_a_temporary_one()
    {
        using var dir = new TempDirectory();
        // A directory where the coordinator writes its connection file first, before renaming it into place.
        Directory.CreateDirectory(dir.File(".skein/cluster.json.tmp"));
        var result = await SkeinProcess.RunAsync(dir.Path, "coordinator", "--listen", "127.0.0.1:0");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("skein: cannot write the connection file", result.Stderr);
        Assert.Contains("cluster.json", result.Stderr);
        Assert.DoesNotContain(".tmp", result.Stderr);
    }

    [Fact]
    public async Task Every_error_line_starts_with_the_same_prefix()
    {
        using var dir = new TempDirectory();
        foreach (var args in new[] { new[] { "run", "a.yaml", "b.yaml" }, [], ["run", "job.yaml", "--frobnicate"], ["call", "counter", "Get", "--timeout", "soon"] })
        {
            var result = await SkeinProcess.RunAsync(dir.Path, args);
            Assert.True(result.ExitCode == 2, result.ToString());
            var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.NotEmpty(lines);
            Assert.All(lines, line => Assert.StartsWith("skein: ", line));
        }
    }
}
