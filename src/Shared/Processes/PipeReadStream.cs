using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Skein.Shared.Processes;

/// <summary>
/// The read end of a command's output pipe, set non-blocking. A read that finds nothing waits for the
/// <see cref="FdWatcher"/> instead of holding a thread; the watcher reads what arrived and hands it over.
/// </summary>
/// <remarks>
/// Every hand-over costs a trip through the thread pool, which on a busy machine costs more than a short command's
/// own bookkeeping. The end of the pipe is therefore not handed over by the watcher while the command is still
/// running: the command's owner waits for its exit anyway, and then <see cref="CompleteAfterExit"/> finishes the
/// pending read on the owner's own thread. Data is always handed over as soon as it arrives.
/// </remarks>
internal sealed class PipeReadStream : Stream, IReadinessListener
{
    private readonly SafeFileHandle _handle;
    private readonly int _fd;
    private readonly FdWatcher _watcher;
    private readonly Lock _lock = new();
    private readonly byte[] _received = new byte[4096];
    private int _receivedStart;
    private int _receivedCount;
    private bool _ended;
    private bool _exited;
    private TaskCompletionSource? _waiter;
    private ulong _token;
    private bool _registered;
    private bool _disposed;
    private IOException? _error;

    /// <param name="fd">A pipe's read end with O_NONBLOCK set; the stream owns and closes it.</param>
    public PipeReadStream(int fd, FdWatcher watcher)
    {
        _fd = fd;
        _handle = new SafeFileHandle(fd, ownsHandle: true);
        _watcher = watcher;
    }

    /// <summary>The descriptor, for a caller polling it directly; reads still go through the stream.</summary>
    public int Fd => _fd;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            TaskCompletionSource waiter;
            lock (_lock)
            {
                if (_receivedCount > 0)
                {
                    var count = Math.Min(_receivedCount, buffer.Length);
                    _received.AsSpan(_receivedStart, count).CopyTo(buffer.Span);
                    _receivedStart += count;
                    _receivedCount -= count;
                    return count;
                }
                if (_error is not null) throw _error;
                if (_ended || _disposed) return 0;
                var read = TryRead(buffer.Span);
                if (read > 0) return read;
                if (read == 0)
                {
                    _ended = true;
                    return 0;
                }
                // Continuations are never run by whoever completes this: the watcher hands over through the thread
                // pool, and CompleteAfterExit runs the reader inline on purpose.
                _waiter = waiter = new TaskCompletionSource();
                _token = _watcher.Arm(_fd, this, ref _registered);
            }
            await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Blocking reads are not what this stream is for; they wait the asynchronous way.</summary>
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// The command has exited: a read waiting for the end of the pipe finishes now, on the caller's thread, and from
    /// now on the watcher hands over the end too (a grandchild may still hold the pipe open).
    /// </summary>
    public void CompleteAfterExit()
    {
        TaskCompletionSource? waiter;
        lock (_lock)
        {
            _exited = true;
            if (!_ended || _waiter is null) return;
            waiter = _waiter;
            _waiter = null;
        }
        waiter.TrySetResult();
    }

    void IReadinessListener.OnReadable()
    {
        TaskCompletionSource? waiter;
        lock (_lock)
        {
            if (_waiter is null || _disposed) return;
            int read;
            try
            {
                read = TryRead(_received);
                if (read < 0)
                {
                    _token = _watcher.Arm(_fd, this, ref _registered); // nothing there after all
                    return;
                }
            }
            catch (IOException ex)
            {
                // On the watcher's thread nothing may throw: the reader gets the failure instead.
                _error = ex;
                read = 0;
                _exited = true;
            }
            if (read == 0)
            {
                _ended = true;
                if (!_exited) return; // CompleteAfterExit hands it over without a trip through the thread pool
            }
            _receivedStart = 0;
            _receivedCount = read;
            waiter = _waiter;
            _waiter = null;
        }
        ThreadPool.UnsafeQueueUserWorkItem(static state => ((TaskCompletionSource)state!).TrySetResult(), waiter, preferLocal: false);
    }

    /// <returns>The bytes read (0 at the end), or -1 when nothing is available yet.</returns>
    private unsafe int TryRead(Span<byte> buffer)
    {
        var added = false;
        try
        {
            // The reference keeps the descriptor (and its number) from being closed and reused mid-read.
            _handle.DangerousAddRef(ref added);
            fixed (byte* bytes = buffer)
            {
                while (true)
                {
                    var read = Libc.read(_fd, bytes, buffer.Length);
                    if (read >= 0) return (int)read;
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Libc.EINTR) continue;
                    if (errno == Libc.EAGAIN) return -1;
                    throw new IOException($"Could not read a command's output: {Libc.Describe(errno)}");
                }
            }
        }
        catch (ObjectDisposedException)
        {
            return 0;
        }
        finally
        {
            if (added) _handle.DangerousRelease();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            TaskCompletionSource? waiter;
            lock (_lock)
            {
                if (_disposed) return;
                _disposed = true;
                waiter = _waiter;
                _waiter = null;
                _watcher.Forget(_fd, _token, _registered);
            }
            _handle.Dispose();
            if (waiter is not null) ThreadPool.UnsafeQueueUserWorkItem(static state => ((TaskCompletionSource)state!).TrySetResult(), waiter, preferLocal: false);
        }
        base.Dispose(disposing);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
