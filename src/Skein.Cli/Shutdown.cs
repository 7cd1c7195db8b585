using System.Runtime.InteropServices;

namespace Skein.Cli;

/// <summary>A token cancelled by the first SIGINT (Ctrl+C) or SIGTERM, for commands that run until told to stop.</summary>
internal sealed class Shutdown : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;

    public Shutdown()
    {
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    public CancellationToken Token => _cts.Token;

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true; // we stop ourselves, cleanly
        _cts.Cancel();
    }

    /// <summary>Completes when a signal arrives.</summary>
    public Task WaitAsync() => Task.Delay(Timeout.Infinite, _cts.Token).ContinueWith(static _ => { }, TaskScheduler.Default);

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _cts.Dispose();
    }
}
