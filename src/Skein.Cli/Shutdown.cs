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

    /// <summary>Stops as a signal would: for a command that decides on its own that it must end.</summary>
    public void Stop() => _cts.Cancel();

    /// <summary>Stops as a signal would, once standard input reaches its end: how a child learns its parent is gone, however it went.</summary>
    public void StopWhenStandardInputCloses()
    {
        _ = Task.Run(async () =>
        {
            var buffer = new byte[256];
            try
            {
                await using var input = Console.OpenStandardInput();
                while (await input.ReadAsync(buffer, _cts.Token).ConfigureAwait(false) > 0) { }
                await _cts.CancelAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // stopped by a signal first
            }
            catch (ObjectDisposedException)
            {
                // disposed while reading
            }
        });
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
