using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Skein.Shared.Processes;

/// <summary>
/// One background thread waiting, through epoll, for the file descriptors of running commands: their output pipes
/// and their pidfds. Readiness only wakes the waiter, whose continuation runs on the thread pool; no thread ever
/// blocks in a read or a wait for a command, however long it runs.
/// </summary>
/// <remarks>
/// Every arming is one-shot and carries a fresh token, so a late event for a descriptor that was closed (and whose
/// number may be in use again) finds no listener and is dropped. Listeners treat readiness as a hint and check again.
/// </remarks>
internal sealed unsafe class FdWatcher
{
    private static readonly Lazy<FdWatcher?> Shared = new(TryCreate);

    private readonly int _epoll;
    private readonly int _eventSize;
    private readonly int _dataOffset;
    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, IReadinessListener> _listeners = [];
    private ulong _lastToken;
    private bool _failed;

    private FdWatcher(int epoll)
    {
        _epoll = epoll;
        // struct epoll_event is packed on x86-64 (12 bytes) and naturally aligned elsewhere (16 bytes).
        var packed = RuntimeInformation.ProcessArchitecture == Architecture.X64;
        _eventSize = packed ? 12 : 16;
        _dataOffset = packed ? 4 : 8;
        new Thread(Run) { IsBackground = true, Name = "Skein command watcher" }.Start();
    }

    /// <summary>The process-wide watcher, or null where epoll is not available.</summary>
    public static FdWatcher? Instance => Shared.Value;

    private static FdWatcher? TryCreate()
    {
        if (!OperatingSystem.IsLinux()) return null;
        if (RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64)) return null;
        try
        {
            var epoll = Libc.epoll_create1(Libc.O_CLOEXEC);
            return epoll < 0 ? null : new FdWatcher(epoll);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Calls <paramref name="listener"/> once when <paramref name="fd"/> is next readable (or at its end).</summary>
    /// <param name="registered">Whether the descriptor is in the epoll set already; set once it is.</param>
    /// <returns>The arming's token, for <see cref="Forget"/>.</returns>
    public ulong Arm(int fd, IReadinessListener listener, ref bool registered)
    {
        ulong token;
        lock (_lock)
        {
            if (_failed) throw new IOException("The command watcher stopped; no more descriptors can be watched.");
            token = ++_lastToken;
            _listeners[token] = listener;
        }
        var epollEvent = stackalloc byte[16];
        Unsafe.WriteUnaligned(epollEvent, Libc.EPOLLIN | Libc.EPOLLONESHOT);
        Unsafe.WriteUnaligned(epollEvent + _dataOffset, token);
        if (Libc.epoll_ctl(_epoll, registered ? Libc.EPOLL_CTL_MOD : Libc.EPOLL_CTL_ADD, fd, epollEvent) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            lock (_lock) _listeners.Remove(token);
            throw new IOException($"Could not watch a command's file descriptor: {Libc.Describe(errno)}");
        }
        registered = true;
        return token;
    }

    /// <summary>Takes the descriptor out of the set before it is closed and drops the pending arming, if any.</summary>
    public void Forget(int fd, ulong token, bool registered)
    {
        if (registered) _ = Libc.epoll_ctl(_epoll, Libc.EPOLL_CTL_DEL, fd, null);
        lock (_lock) _listeners.Remove(token);
    }

    /// <summary>
    /// epoll_wait failing other than by a signal cannot happen short of a bug; if it does, every listener is woken to
    /// look again (and to fall back to blocking on its own), and arming fails from then on.
    /// </summary>
    private void Fail()
    {
        List<IReadinessListener> listeners;
        lock (_lock)
        {
            _failed = true;
            listeners = [.. _listeners.Values];
            _listeners.Clear();
        }
        foreach (var listener in listeners) listener.OnReadable();
    }

    private void Run()
    {
        const int batch = 64;
        var events = (byte*)NativeMemory.Alloc((nuint)(batch * _eventSize));
        while (true)
        {
            var count = Libc.epoll_wait(_epoll, events, batch, -1);
            if (count < 0)
            {
                if (Marshal.GetLastPInvokeError() == Libc.EINTR) continue;
                Fail();
                return;
            }
            for (var i = 0; i < count; i++)
            {
                var token = Unsafe.ReadUnaligned<ulong>(events + i * _eventSize + _dataOffset);
                IReadinessListener? listener;
                lock (_lock) _listeners.Remove(token, out listener);
                try
                {
                    listener?.OnReadable();
                }
                catch (Exception ex)
                {
                    // Listeners hand their failures to their readers; one that still throws must not stop the watching
                    // of every other command.
                    System.Diagnostics.Trace.TraceError($"Skein command watcher: {ex}");
                }
            }
        }
    }
}
