using System.Runtime.InteropServices;

namespace Skein.Cli;

/// <summary>
/// Ctrl+C (or SIGTERM) while a run is followed: the first asks the run to stop gracefully, the second gives up at once
/// and exits 130. What each means depends on where the run lives, so the caller says it.
/// </summary>
internal sealed class RunInterrupts : IDisposable
{
    private readonly Action _first;
    private readonly Action _second;
    private readonly PosixSignalRegistration _sigint;
    private readonly PosixSignalRegistration _sigterm;
    private int _count;

    /// <param name="first">Said and done on the first signal (stop the run); must return quickly.</param>
    /// <param name="second">Done on the second, before the process exits 130.</param>
    public RunInterrupts(Action first, Action second)
    {
        _first = first;
        _second = second;
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    public bool Interrupted => Volatile.Read(ref _count) > 0;

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        if (Interlocked.Increment(ref _count) == 1)
        {
            _first();
            return;
        }
        _second();
        Environment.Exit(ExitCodes.Interrupted);
    }

    public void Dispose()
    {
        _sigint.Dispose();
        _sigterm.Dispose();
    }
}
