using Skein.Shared.Processes;

namespace Skein.Engine.Tests.FastPath;

/// <summary>A command started with its standard input open (as module processes are) reads what is written to it, either way it is started.</summary>
public class CommandProcessInputTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_command_started_with_its_input_open_reads_what_is_written_to_it(bool processStart)
    {
        var ct = TestContext.Current.CancellationToken;
        using var process = CommandProcess.Start("exec cat", Path.GetTempPath(), [], processStart, openStandardInput: true);

        await process.StandardInput!.WriteAsync("hello\n"u8.ToArray(), ct);
        await process.StandardInput.FlushAsync(ct);
        process.StandardInput.Close(); // cat ends at the end of its input
        await process.WaitForExitAsync(ct);
        process.CompleteOutputReads();

        Assert.Equal(0, process.ExitCode);
        Assert.Equal("hello", (await process.StandardOutput.ReadToEndAsync(ct)).Trim());
    }

    [Fact]
    public void A_command_started_as_usual_has_no_input_to_write()
    {
        using var process = CommandProcess.Start("true", Path.GetTempPath(), []);

        Assert.Null(process.StandardInput);
    }
}
