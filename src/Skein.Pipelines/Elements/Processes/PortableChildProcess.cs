using System.ComponentModel;
using System.Diagnostics;

namespace Skein.Pipelines.Elements.Processes;

/// <summary>
/// Other platforms: System.Diagnostics.Process. The process tree is killed on cancellation; peak memory is the
/// process's peak working set where the platform still reports it after the exit (Windows), else 0.
/// </summary>
internal static class PortableChildProcess
{
    public static async Task<ChildExit> RunAsync(ChildStart start, TimeProvider clock, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var info = new ProcessStartInfo(start.Program)
        {
            WorkingDirectory = start.WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        for (var i = 1; i < start.Arguments.Count; i++) info.ArgumentList.Add(start.Arguments[i]);
        info.Environment.Clear();
        foreach (var (key, value) in start.Environment) info.Environment[key] = value;

        using var process = new Process { StartInfo = info };
        var began = clock.GetTimestamp();
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new ChildStartException($"could not start {start.Program}: {ex.Message}");
        }
        process.StandardInput.Close();
        var stdout = Task.Factory.StartNew(() => CapturedOutput.Read(process.StandardOutput.BaseStream, start.OutputLimit), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var stderr = Task.Factory.StartNew(() => CapturedOutput.Read(process.StandardError.BaseStream, start.OutputLimit), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        var wallTime = clock.GetElapsedTime(began);
        var output = await stdout.ConfigureAwait(false);
        var error = await stderr.ConfigureAwait(false);
        return new ChildExit(process.ExitCode, output, error, wallTime, Read(() => process.UserProcessorTime), Read(() => process.PrivilegedProcessorTime),
            Read(() => process.PeakWorkingSet64));
    }

    private static T Read<T>(Func<T> value) where T : struct
    {
        try
        {
            return value();
        }
        catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException or PlatformNotSupportedException)
        {
            return default;
        }
    }
}
