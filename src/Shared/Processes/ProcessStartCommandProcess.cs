using System.ComponentModel;
using System.Diagnostics;

namespace Skein.Shared.Processes;

/// <summary>
/// The portable way: System.Diagnostics.Process running <c>setsid bash -c COMMAND</c>. It costs an extra exec per
/// command (setsid), which is why Linux uses <see cref="SpawnedCommandProcess"/> instead.
/// </summary>
internal sealed class ProcessStartCommandProcess : CommandProcess
{
    private readonly Process _process;

    private ProcessStartCommandProcess(Process process, bool openStandardInput)
    {
        _process = process;
        StandardInput = openStandardInput ? process.StandardInput.BaseStream : null;
    }

    public override int Id => _process.Id;
    public override Stream? StandardInput { get; }
    public override StreamReader StandardOutput => _process.StandardOutput;
    public override StreamReader StandardError => _process.StandardError;
    public override int ExitCode => _process.ExitCode;

    public static CommandProcess Start(string command, string workingDirectory, IEnumerable<KeyValuePair<string, string>> environment, bool openStandardInput = false)
    {
        var start = new ProcessStartInfo("setsid")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("bash");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        foreach (var (key, value) in environment) start.Environment[key] = value;

        var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            process.Dispose();
            throw new CommandStartException(ex.Message);
        }
        if (!openStandardInput) process.StandardInput.Close();
        return new ProcessStartCommandProcess(process, openStandardInput);
    }

    public override Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    public override void Dispose() => _process.Dispose();
}
