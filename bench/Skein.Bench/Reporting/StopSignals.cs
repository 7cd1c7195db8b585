using System.Runtime.InteropServices;

namespace Skein.Bench.Reporting;

/// <summary>
/// Ctrl+C and SIGTERM cancel a token instead of killing the bench, so it stops measuring and shuts down the processes
/// it started rather than leaving them running.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly PosixSignalRegistration _terminate;

    public StopSignals()
    {
        Console.CancelKeyPress += OnCancelKeyPress;
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            _cancel.Cancel();
        });
    }

    public CancellationToken Token => _cancel.Token;

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        e.Cancel = true;
        _cancel.Cancel();
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        _terminate.Dispose();
        _cancel.Dispose();
    }
}
