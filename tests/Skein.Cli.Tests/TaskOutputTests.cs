using System.Globalization;

namespace Skein.Cli.Tests;

/// <summary>What skein keeps of a task's output: all of it in the log, never all of it in memory.</summary>
public class TaskOutputTests
{
    private static readonly TimeSpan Patience = TestPatience.Ceiling;

    [Fact]
    public async Task A_huge_line_without_a_newline_is_logged_whole_while_memory_stays_bounded()
    {
        const long size = 200L * 1024 * 1024;
        using var dir = new TempDirectory();
        var state = dir.File("state");
        // 'hold' keeps skein alive after 'big' so its peak memory can be read from /proc before it exits.
        dir.Write("job.yaml", $$"""
            name: huge
            tasks:
              big: { run: "head -c {{size}} /dev/zero | tr '\\0' x" }
              hold: { run: "while [ ! -f release ]; do sleep 0.05; done", needs: [big] }
            """);

        await using var skein = SkeinProcess.Start(dir.Path, "run", "job.yaml", "--state", state, "--plain");
        await skein.WaitForOutputAsync("start     hold", Patience);
        var peak = PeakResidentBytes(skein.Id);
        File.WriteAllText(dir.File("release"), "");
        Assert.Equal(0, await skein.WaitForExitAsync(Patience));

        // Reading the line whole took several times its size (1.4 GB here); chunks with a 64 KiB cap take well under it.
        Assert.True(peak < size, $"skein's peak resident memory was {peak / (1024 * 1024)} MiB for a {size / (1024 * 1024)} MiB line");
        var log = new FileInfo(Path.Combine(state, "logs", "1", "big.1.log"));
        Assert.Equal(size, log.Length);
        Assert.True(AllBytesAre(log.FullName, (byte)'x'), "the log holds other bytes than the task printed");
    }

    [Fact]
    public async Task The_failure_message_shows_the_start_of_an_overlong_last_line()
    {
        using var dir = new TempDirectory();
        dir.Write("job.yaml", """
            name: long
            tasks:
              loud: { run: "printf 'boom'; head -c 300000 /dev/zero | tr '\\0' y; exit 3" }
            """);

        var result = await SkeinProcess.RunAsync(dir.Path, "run", "job.yaml", "--state", dir.File("state"), "--report", "detail", "--plain");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("exit code 3: boomyyy", result.Stdout);
        Assert.Equal(300004, new FileInfo(Path.Combine(dir.File("state"), "logs", "1", "loud.1.log")).Length);
    }

    /// <summary>VmHWM: the most memory the process has had resident at once, so far.</summary>
    private static long PeakResidentBytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (!line.StartsWith("VmHWM:", StringComparison.Ordinal)) continue;
            var kilobytes = line["VmHWM:".Length..].Trim().Split(' ')[0];
            return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
        }
        throw new InvalidOperationException($"/proc/{pid}/status has no VmHWM");
    }

    private static bool AllBytesAre(string path, byte expected)
    {
        using var stream = File.OpenRead(path);
        var buffer = new byte[1 << 20];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            if (buffer.AsSpan(0, read).ContainsAnyExcept(expected)) return false;
        }
        return true;
    }
}
