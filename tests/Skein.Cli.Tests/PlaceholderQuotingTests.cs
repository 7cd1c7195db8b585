using Skein.Engine.Templates;
namespace Skein.Cli.Tests;

/// <summary>Placeholders in 'run' are shell-quoted: a file's name reaches the command as one argument, never as code.</summary>
public class PlaceholderQuotingTests
{
    [Fact]
    public async Task A_foreach_over_hostile_file_names_passes_each_as_one_argument_and_runs_none()
    {
        using var dir = new TempDirectory();
        string[] names = ["$(touch PWNED).txt", "`touch PWNED`.txt", "it's a b.txt", "line\nbreak; touch PWNED.txt", "plain.txt"];
        foreach (var name in names) dir.Write(Path.Combine("src", name), "");
        // Each task appends its argument count and arguments, NUL-separated (O_APPEND keeps the records whole).
        dir.Write("job.yaml", """
            name: quoting
            tasks:
              lint-{{file.stem}}:
                foreach: "src/*.txt"
                run: args() { printf '%s\0' "$#" "$@"; }; args {{file}} >> args.bin; echo "saw {{file.name}}"
            """);

        var result = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--state", dir.File("state"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.False(File.Exists(dir.File("PWNED")), "a file name ran as code");
        Assert.False(File.Exists(dir.File(Path.Combine("src", "PWNED"))), "a file name ran as code");
        var fields = File.ReadAllText(dir.File("args.bin")).Split('\0', StringSplitOptions.None)[..^1];
        var seen = new List<string>();
        for (var i = 0; i < fields.Length; i += 2)
        {
            Assert.Equal("1", fields[i]);
            seen.Add(fields[i + 1]);
        }
        Assert.Equal(names.Select(n => "src/" + n).Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));

        // Inside the command's own double quotes the value is the same text.
        var logs = await SkeinProcess.RunAsync(dir.Path, "logs", "latest", "lint-it's a b", "--state", dir.File("state"));
        Assert.True(logs.ExitCode == 0, logs.ToString());
        Assert.Equal("saw it's a b.txt", logs.Stdout.Trim());
    }

    [Fact]
    public async Task A_placeholder_no_quoting_can_protect_is_an_error_before_anything_runs()
    {
        using var dir = new TempDirectory();
        dir.Write(Path.Combine("src", "a.txt"), "");
        dir.Write("job.yaml", """
            name: backticks
            tasks:
              lint-{{file.stem}}:
                foreach: "src/*.txt"
                run: touch ran; echo `basename {{file}}`
            """);

        var result = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--state", dir.File("state"));

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("job.yaml:5:", result.Stderr);
        Assert.Contains("'{{file}}' is inside backticks", result.Stderr);
        Assert.False(File.Exists(dir.File("ran")));
    }
}
