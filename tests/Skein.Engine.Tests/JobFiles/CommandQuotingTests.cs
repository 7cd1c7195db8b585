using Skein.Engine.Templates;
using System.Diagnostics;
using System.Text;
using Skein.Engine.JobFiles;
using static Skein.Engine.Tests.JobFiles.JobFileAssert;

namespace Skein.Engine.Tests.JobFiles;

/// <summary>
/// Placeholders in a 'run' command are quoted for where they stand, so bash sees each value as the exact text it is.
/// Checked against bash itself: every template is filled with hostile values and run.
/// </summary>
public sealed class CommandQuotingTests
{
    /// <summary>Values that would run 'touch PWNED', split, glob, expand or unbalance quotes if pasted as they are.</summary>
    private static readonly string[] Hostile =
    [
        "plain", "src/a-b_c.d:e,f@g%h+i=j", "", " ", "a b", "a  b", "\t", "it's", "'", "''", "\"", "\\", "\\\\", "\\'", "\\\"",
        "$(touch PWNED)", "`touch PWNED`", "${HOME}", "$HOME", "$", "$$", "$'\\x27'", ";touch PWNED;", "a;touch PWNED",
        "|touch PWNED", "&touch PWNED&", "&& touch PWNED", "> PWNED", "< /etc/passwd", "*", "?", "[a]", "~", "~root",
        "{a,b}", "}", "{", ")", "(", "((", "))", "!", "#not a comment", "-n", "--", "%s%d", "файл", "日本",
        "'$(touch PWNED)'", "\"$(touch PWNED)\"", "\\$(touch PWNED)", "a'b\"c`d$e\\f", "x}y", "EOF",
        "a\nb", "line\n$(touch PWNED)", "\n", "\nEOF\ntouch PWNED\n", "'\n'", "trailing\n",
    ];

    public static TheoryData<string, string> Templates => new()
    {
        // template                                                  what bash prints for the value v
        { "printf '<%s>' {{v}}",                                      "<v>" },
        { "printf '<%s>' x{{v}}y",                                    "<xvy>" },
        { "printf '<%s>' {{v}}{{v}}",                                 "<vv>" },
        { "printf '<%s>' \"x {{v}} y\"",                              "<x v y>" },
        { "printf '<%s>' 'x {{v}} y'",                                "<x v y>" },
        { "printf '<%s>' $'x {{v}} y'",                               "<x v y>" },
        { "printf '<%s>' $\"x {{v}} y\"",                             "<x v y>" },
        { "printf '<%s>' \"$(printf '%s|' {{v}})\"",                  "<v|>" },
        { "printf '<%s>' \"$(printf '%s|' \"{{v}}\")\"",              "<v|>" },
        { "printf '<%s>' $(printf '[%s]' {{v}} | tr -d ' \\n\\t*?')", null! },
        { "printf '<%s>' ${UNSET:-{{v}}}",                            "<v>" },
        { "printf '<%s>' \"${UNSET:-{{v}}}\"",                        "<v>" },
        { "printf '<%s>' \"$(case a in a) printf '%s|' {{v}};; esac)\"", "<v|>" },
        { "printf '<%s>' \"$( (printf '%s|' {{v}}) )\"",              "<v|>" },
        { "cat <(printf '<%s>' {{v}})",                               "<v>" },
        { "x=1 # a comment with {{v}} in it\nprintf '<%s>' end",     "<end>" },
        { "printf '<%s>' {{v}} # and {{v}}",                          "<v>" },
        { "printf '%s' {{v}} | cat",                                  "v" },
        { "cat <<< {{v}}",                                            "v\n" },
        { "if true; then printf '<%s>' {{v}}; fi",                    "<v>" },
        { "for f in {{v}}; do printf '<%s>' \"$f\"; done",            "<v>" },
        { "printf '<%s>' \"${UNSET:-x{{v}}y}\"",                      "<xvy>" },
        { "printf '<%s>' \"${UNSET:-\"{{v}}\"}\"",                    "<v>" },
        { "printf '<%s>' \"a\"{{v}}'b'",                               "<avb>" },
        { "a=({{v}} {{v}}); printf '<%s>' \"${a[@]}\"",                "<v><v>" },
        { "f() { printf '<%s>' \"$1\"; }; f {{v}}",                    "<v>" },
        { "[[ x{{v}} == x{{v}} ]] && printf '<%s>' same",             "<same>" },
    };

    public static TheoryData<string, string> HereDocuments => new()
    {
        { "cat <<EOF\nx {{v}} y\nEOF",                                "x v y\n" },
        { "cat <<'EOF'\nx {{v}} y\nEOF",                              "x v y\n" },
        { "cat <<\"EOF\"\n{{v}}\nEOF",                                "v\n" },
        { "cat <<-EOF\n\t{{v}}\n\tEOF",                               "v\n" },
        { "cat <<EOF; printf '<%s>' {{v}}\n[{{v}}]\nEOF\nprintf '<%s>' {{v}}", "[v]\n<v><v>" },
        { "cat <<A; cat <<B\n{{v}}\nA\n({{v}})\nB",                  "v\n(v)\n" },
        { "printf '<%s>' \"$(cat <<EOF\n{{v}}\nEOF\n)\"",             "<v>" },
    };

    [Theory]
    [MemberData(nameof(Templates))]
    public void Every_value_reaches_the_command_as_its_own_text(string template, string expected)
    {
        AssertBashSees(template, expected, Hostile);
    }

    [Theory]
    [MemberData(nameof(HereDocuments))]
    public void Values_in_here_documents_are_their_own_text(string template, string expected)
    {
        // A line break cannot be held by a here-document, nor a line that is its end marker: those values are refused
        // (tested below). <<- strips leading tabs from every line, a value's too.
        AssertBashSees(template, expected, Hostile.Where(v => !v.Contains('\n') && v is not ("EOF" or "A" or "B") && !v.StartsWith('\t')).ToArray());
    }

    [Fact]
    public void Random_values_of_shell_characters_reach_every_template_intact()
    {
        // Fixed seed: a failure names a value that fails again.
        var random = new Random(20251205);
        const string alphabet = "ab 'x\"\\$`{}()[]*?~!#;&|<>=,:%@-_.\t\nя";
        var values = new string[150];
        for (var i = 0; i < values.Length; i++)
        {
            var value = new char[random.Next(0, 12)];
            for (var j = 0; j < value.Length; j++) value[j] = alphabet[random.Next(alphabet.Length)];
            values[i] = new string(value);
        }
        foreach (var row in Templates) AssertBashSees(row.Data.Item1, row.Data.Item2, values);
        var oneLine = values.Where(v => !v.Contains('\n') && !v.StartsWith('\t')).ToArray();
        foreach (var row in HereDocuments) AssertBashSees(row.Data.Item1, row.Data.Item2, oneLine);
    }

    [Fact]
    public void Arithmetic_keeps_numbers_and_never_runs_a_value()
    {
        AssertBashSees("printf '<%s>' $(( {{v}} + 1 ))", null, Hostile);
        AssertBashSees("(( {{v}} > 1 )) && printf yes", null, Hostile);
        Assert.Equal("<42>", FillAndRun("printf '<%s>' $(( {{v}} + 1 ))", "41"));
        Assert.Equal("<6>", FillAndRun("printf '<%s>' $(( ({{v}} + 1) * 2 ))", "2"));
        Assert.Equal("yes", FillAndRun("(( {{v}} > 1 )) && printf yes", "5"));
    }

    [Fact]
    public void Safe_values_stay_bare_so_commands_read_as_written()
    {
        Assert.Equal("./test.sh --shard 3", Fill("./test.sh --shard {{v}}", "3"));
        Assert.Equal("./lint src/net/http.cs", Fill("./lint {{v}}", "src/net/http.cs"));
        Assert.Equal("./lint 'src/my file.cs'", Fill("./lint {{v}}", "src/my file.cs"));
        Assert.Equal("echo \"shard 3\"", Fill("echo \"shard {{v}}\"", "3"));
        Assert.Equal("echo \"a \\$b\"", Fill("echo \"a {{v}}\"", "$b"));
        Assert.Equal("echo ''", Fill("echo {{v}}", ""));
    }

    [Fact]
    public void Raw_placeholders_are_pasted_as_code()
    {
        Assert.Equal("make -j4 && echo 'a b'", Fill("make {{raw v}} && echo {{w}}", "-j4", "a b"));
        Assert.Equal("<a><b>", FillAndRun("printf '<%s>' {{ raw v }}", "a b"));
        // A raw value that opens a quote is scanned as code: what follows is quoted for inside that quote.
        Assert.Equal("<x a$b y>", FillAndRun("printf '<%s>' {{raw v}}{{w}} y\"", "\"x ", "a$b"));
    }

    [Theory]
    [InlineData("echo \\{{v}}", "follows a backslash")]
    [InlineData("echo \"\\{{v}}\"", "follows a backslash")]
    [InlineData("echo ${{v}}", "follows a '$'")]
    [InlineData("echo \"${{v}}\"", "follows a '$'")]
    [InlineData("echo `basename {{v}}`", "inside backticks")]
    [InlineData("cat <<{{v}}\nx\n", "end marker of a here-document")]
    public void Places_no_quoting_can_protect_are_refused(string template, string fragment)
    {
        var problems = new List<string>();
        Placeholders.SubstituteCommand(template, new Dictionary<string, string> { ["v"] = "$(touch PWNED)" }, problems);
        Assert.Contains(problems, p => p.Contains(fragment, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("a\nb", "line break")]
    [InlineData("EOF", "end marker")]
    public void Values_that_would_end_a_here_document_early_are_refused(string value, string fragment)
    {
        var problems = new List<string>();
        Placeholders.SubstituteCommand("cat <<EOF\n{{v}}\nEOF\n{{v}}", new Dictionary<string, string> { ["v"] = value }, problems);
        Assert.Contains(problems, p => p.Contains(fragment, StringComparison.Ordinal));
    }

    [Fact]
    public void A_refused_placeholder_is_an_error_at_the_run_key_of_the_task()
    {
        var result = Parse("""
            name: n
            tasks:
              t-{{matrix.v}}:
                matrix: { v: [a] }
                run: echo `cat {{matrix.v}}`
            """);

        Error(result, 5, 10, "'{{matrix.v}}' is inside backticks", "in task 't-{{matrix.v}}'");
    }

    [Fact]
    public void Only_the_command_is_quoted_and_raw_is_accepted_everywhere()
    {
        var job = Valid("""
            name: n
            tasks:
              "t-{{matrix.v}}":
                matrix: { v: ["a b"] }
                run: echo {{matrix.v}} {{raw matrix.v}}
                env: { V: "{{matrix.v}}", R: "{{raw matrix.v}}" }
                description: about {{matrix.v}}
            """);

        var command = Command(job, "t-a b");
        Assert.Equal("echo 'a b' a b", command.Command);
        Assert.Equal("a b", command.Environment["V"]);
        Assert.Equal("a b", command.Environment["R"]);
    }

    [Fact]
    public void Raw_of_an_unknown_name_is_reported_like_any_unknown_placeholder()
    {
        var result = Parse("name: n\ntasks:\n  t-{{matrix.v}}:\n    matrix: { v: [a] }\n    run: echo {{raw nope}} {{raw}}\n");

        Error(result, 5, 10, "unknown placeholder '{{nope}}'");
        Error(result, 5, 10, "unknown placeholder '{{raw}}'");
    }

    private static string Fill(string template, string value, string? other = null)
    {
        var values = new Dictionary<string, string> { ["v"] = value };
        if (other is not null) values["w"] = other;
        var problems = new List<string>();
        var command = Placeholders.SubstituteCommand(template, values, problems);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        return command;
    }

    private static string FillAndRun(string template, string value, string? other = null)
    {
        using var dir = new TempDirectory();
        return RunBash(Fill(template, value, other), dir.Path).Output;
    }

    /// <summary>
    /// Fills the template with each value and runs them all in one bash script, separated by a marker; each
    /// command's output must be <paramref name="expected"/> with 'v' replaced by the value (null: anything), and
    /// nothing may create PWNED.
    /// </summary>
    private static void AssertBashSees(string template, string? expected, string[] values)
    {
        using var dir = new TempDirectory();
        var script = new StringBuilder();
        foreach (var value in values)
        {
            script.Append(Fill(template, value)).Append("\nprintf '\\036'\n");
        }
        var (output, error) = RunBash(script.ToString(), dir.Path);
        Assert.False(File.Exists(Path.Combine(dir.Path, "PWNED")), $"a value ran as code in: {template}\n{error}");
        var outputs = output.Split('\x1e');
        Assert.True(outputs.Length == values.Length + 1, $"the commands' structure broke: {template}\n{output}\n{error}");
        if (expected is null) return;
        for (var i = 0; i < values.Length; i++)
        {
            Assert.True(expected.Replace("v", values[i], StringComparison.Ordinal) == outputs[i],
                $"template {Show(template)} with value {Show(values[i])}\nran:      {Show(Fill(template, values[i]))}\nprinted:  {Show(outputs[i])}\nexpected: {Show(expected.Replace("v", values[i], StringComparison.Ordinal))}\n{error}");
        }
    }

    private static (string Output, string Error) RunBash(string script, string directory)
    {
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        // A file, not -c: a long script would pass the limit of one argument.
        var file = Path.Combine(directory, "script.sh");
        File.WriteAllText(file, script);
        start.ArgumentList.Add(file);
        start.Environment.Remove("UNSET");
        using var bash = Process.Start(start)!;
        bash.StandardInput.Close();
        var error = bash.StandardError.ReadToEndAsync();
        var output = bash.StandardOutput.ReadToEnd();
        bash.WaitForExit();
        return (output, error.Result);
    }

    private static string Show(string text) =>
        "«" + text.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal) + "»";
}
