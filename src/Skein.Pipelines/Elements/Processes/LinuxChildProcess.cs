using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using Microsoft.Win32.SafeHandles;

using Skein.Shared.Processes;

namespace Skein.Pipelines.Elements.Processes;

/// <summary>
/// Linux: the program started by posix_spawn as the leader of a new session (so its group can be killed whole), its
/// standard input at end of file, its output piped back; its exit waited for with waitid(WNOWAIT) and then reaped with
/// wait4, which reports the child's CPU times and peak resident set size.
/// </summary>
/// <remarks>
/// <para>Waiting without reaping first keeps the child's pid (and so its process group id) taken while the rest of
/// its group is killed and cancellation is unhooked: a signal to the group can never reach a stranger that reused the
/// id. The runtime reaps only the children it started itself, so this wait4 is the only one that sees this child.</para>
/// <para>The kernel charges a spawned child the peak of the memory it was spawned from (exec records the old address
/// space's high-water mark, and posix_spawn's child shares this process's until it execs), so wait4's figure is the
/// larger of the program's own peak and this process's. When it is larger than this process's peak it is the
/// program's own, exactly; otherwise the program's own peak is hidden under ours, and the highest VmHWM of
/// /proc/PID/status read while it ran stands in for it (read at 1 ms, then less and less often, up to every 50 ms).</para>
/// </remarks>
[SupportedOSPlatform("linux")]
internal static partial class LinuxChildProcess
{
    public static async Task<ChildExit> RunAsync(ChildStart start, TimeProvider clock, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var began = clock.GetTimestamp();
        var (pid, stdoutFd, stderrFd) = Spawn(start);
        // After posix_spawn returns the child has exec'd: what it was charged of ours is at most our peak now.
        var ownPeak = OwnPeakBytes();
        var stdout = Task.Factory.StartNew(() => Capture(stdoutFd, start.OutputLimit), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var stderr = Task.Factory.StartNew(() => Capture(stderrFd, start.OutputLimit), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var exited = Task.Factory.StartNew(() => WaitForExit(pid), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        var killed = 0;
        var cancellation = cancellationToken.Register(() =>
        {
            Volatile.Write(ref killed, 1);
            _ = kill(-pid, SIGKILL);
        });
        TimeSpan wallTime;
        long sampledPeak;
        try
        {
            sampledPeak = await exited.ConfigureAwait(false);
            wallTime = clock.GetElapsedTime(began);
        }
        finally
        {
            // Unhooked before the reap below, while the pid is still ours: a late cancellation kills nothing else.
            await cancellation.DisposeAsync().ConfigureAwait(false);
        }
        // What the program left running in its group would hold its output open: it ends with the program.
        _ = kill(-pid, SIGKILL);
        var (exitCode, usage) = Reap(pid);
        var output = await stdout.ConfigureAwait(false);
        var error = await stderr.ConfigureAwait(false);
        if (Volatile.Read(ref killed) != 0) throw new OperationCanceledException(cancellationToken);
        var maxRss = usage.MaxRssBytes > ownPeak ? usage.MaxRssBytes : sampledPeak;
        return new ChildExit(exitCode, output, error, wallTime, usage.UserTime, usage.SystemTime, maxRss);
    }
}

/// <summary>The system calls of <see cref="LinuxChildProcess"/>.</summary>
internal static unsafe partial class LinuxChildProcess
{
    private const int EINTR = 4;
    private const int O_RDONLY = 0;
    private const int O_CLOEXEC = 0x80000;
    private const int F_DUPFD_CLOEXEC = 1030;
    private const short POSIX_SPAWN_SETSIGDEF = 0x04;
    private const short POSIX_SPAWN_SETSIGMASK = 0x08;
    private const short POSIX_SPAWN_SETSID = 0x80;
    private const int P_PID = 1;
    private const int WEXITED = 4;
    private const int WNOWAIT = 0x01000000;
    private const int SIGKILL = 9;
    private const int RUSAGE_SELF = 0;
    private const short POLLIN = 0x001;

    /// <summary>Generous sizes for libc's opaque types (glibc: 80, 336, 128 and 128 bytes), so any libc fits.</summary>
    private const int FileActionsSize = 256;
    private const int SpawnAttrSize = 1024;
    private const int SigSetSize = 256;
    private const int SigInfoSize = 256;

    private static CapturedOutput Capture(int fd, long limit)
    {
        using var stream = new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Read, bufferSize: 0);
        return CapturedOutput.Read(stream, limit);
    }

    /// <summary>
    /// Blocks until the child has exited, leaving it a zombie (not reaped); returns the highest VmHWM read from its
    /// /proc/PID/status meanwhile (0 if none could be read).
    /// </summary>
    private static long WaitForExit(int pid)
    {
        var peak = 0L;
        var pidfd = pidfd_open(pid);
        if (pidfd >= 0)
        {
            try
            {
                var interval = 1;
                var fd = new PollFd { Fd = pidfd, Events = POLLIN };
                while (true)
                {
                    peak = Math.Max(peak, ReadHighWaterMark(pid));
                    var ready = poll(&fd, 1, interval);
                    if (ready > 0) break;
                    if (ready < 0 && Marshal.GetLastPInvokeError() != EINTR) break;
                    interval = Math.Min(interval * 2, 50);
                }
            }
            finally
            {
                _ = close(pidfd);
            }
        }
        var info = stackalloc byte[SigInfoSize];
        while (waitid(P_PID, pid, info, WEXITED | WNOWAIT) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno != EINTR) throw new InvalidOperationException($"waitid for process {pid} failed: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
        return peak;
    }

    /// <summary>The VmHWM line of /proc/PID/status in bytes; 0 once the process has no memory (exiting) or cannot be read.</summary>
    private static long ReadHighWaterMark(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (!line.StartsWith("VmHWM:", StringComparison.Ordinal)) continue;
                var digits = line.AsSpan(6).Trim().TrimEnd("kB").Trim();
                return long.TryParse(digits, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var kib) ? kib * 1024 : 0;
            }
        }
        catch (IOException)
        {
            // Gone or going: what was read before stands.
        }
        catch (UnauthorizedAccessException)
        {
        }
        return 0;
    }

    /// <summary>This process's own peak resident set size (getrusage RUSAGE_SELF), in bytes.</summary>
    private static long OwnPeakBytes()
    {
        var usage = stackalloc long[18];
        return getrusage(RUSAGE_SELF, usage) == 0 ? usage[4] * 1024 : long.MaxValue;
    }

    private static (int ExitCode, Usage Usage) Reap(int pid)
    {
        int status;
        // struct rusage on 64-bit Linux: two struct timevals (seconds, microseconds), then 14 longs, ru_maxrss (KiB) first.
        var usage = stackalloc long[18];
        int reaped;
        do reaped = wait4(pid, &status, 0, usage);
        while (reaped < 0 && Marshal.GetLastPInvokeError() == EINTR);
        if (reaped < 0) throw new InvalidOperationException($"wait4 for process {pid} failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        var exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
        return (exitCode, new Usage(Time(usage[0], usage[1]), Time(usage[2], usage[3]), usage[4] * 1024));
    }

    private static TimeSpan Time(long seconds, long microseconds) => TimeSpan.FromSeconds(seconds) + TimeSpan.FromMicroseconds(microseconds);

    private readonly record struct Usage(TimeSpan UserTime, TimeSpan SystemTime, long MaxRssBytes);

    private static (int Pid, int Stdout, int Stderr) Spawn(ChildStart start)
    {
        var stdout = stackalloc int[2] { -1, -1 };
        var stderr = stackalloc int[2] { -1, -1 };
        var fileActions = NativeMemory.AllocZeroed(FileActionsSize);
        var attributes = NativeMemory.AllocZeroed(SpawnAttrSize);
        var signals = NativeMemory.AllocZeroed(SigSetSize);
        var strings = new NativeStrings();
        var started = false;
        try
        {
            OpenPipe(stdout);
            OpenPipe(stderr);
            Check(posix_spawn_file_actions_init(fileActions), "posix_spawn_file_actions_init");
            Check(posix_spawn_file_actions_addopen(fileActions, 0, strings.Add("/dev/null"), O_RDONLY, 0), "posix_spawn_file_actions_addopen");
            Check(posix_spawn_file_actions_adddup2(fileActions, stdout[1], 1), "posix_spawn_file_actions_adddup2");
            Check(posix_spawn_file_actions_adddup2(fileActions, stderr[1], 2), "posix_spawn_file_actions_adddup2");
            Check(posix_spawn_file_actions_addchdir_np(fileActions, strings.Add(start.WorkingDirectory)), "posix_spawn_file_actions_addchdir_np");

            // The child starts as System.Diagnostics.Process would start it: every signal at its default, none blocked.
            Check(posix_spawnattr_init(attributes), "posix_spawnattr_init");
            Check(sigemptyset(signals), "sigemptyset");
            Check(posix_spawnattr_setsigmask(attributes, signals), "posix_spawnattr_setsigmask");
            Check(sigfillset(signals), "sigfillset");
            Check(posix_spawnattr_setsigdefault(attributes, signals), "posix_spawnattr_setsigdefault");
            Check(posix_spawnattr_setflags(attributes, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF), "posix_spawnattr_setflags");

            var environment = new List<string>(start.Environment.Count);
            foreach (var (key, value) in start.Environment) environment.Add(key + "=" + value);
            int pid;
            var error = posix_spawn(&pid, strings.Add(start.Program), fileActions, attributes, strings.Array(start.Arguments), strings.Array(environment));
            if (error != 0) throw new ChildStartException($"could not start {start.Program}: {Marshal.GetPInvokeErrorMessage(error)}");
            started = true;
            return (pid, stdout[0], stderr[0]);
        }
        finally
        {
            // The child has its copies; the parent keeps only the read ends.
            Close(stdout[1]);
            Close(stderr[1]);
            if (!started)
            {
                Close(stdout[0]);
                Close(stderr[0]);
            }
            _ = posix_spawn_file_actions_destroy(fileActions);
            _ = posix_spawnattr_destroy(attributes);
            NativeMemory.Free(fileActions);
            NativeMemory.Free(attributes);
            NativeMemory.Free(signals);
            strings.Dispose();
        }
    }

    private static void OpenPipe(int* fds)
    {
        if (pipe2(fds, O_CLOEXEC) != 0) throw new ChildStartException($"could not create a pipe: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        // With 0, 1 or 2 closed in this process a pipe could land there, and the dup2s onto 0..2 would overwrite it.
        fds[0] = AboveStandard(fds[0]);
        fds[1] = AboveStandard(fds[1]);
    }

    private static int AboveStandard(int fd)
    {
        if (fd > 2) return fd;
        var moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        var errno = Marshal.GetLastPInvokeError();
        _ = close(fd);
        if (moved < 0) throw new ChildStartException($"could not create a pipe: {Marshal.GetPInvokeErrorMessage(errno)}");
        return moved;
    }

    private static void Close(int fd)
    {
        if (fd >= 0) _ = close(fd);
    }

    private static void Check(int error, string call)
    {
        if (error != 0) throw new ChildStartException($"{call} failed: {Marshal.GetPInvokeErrorMessage(error)}");
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int pipe2(int* fds, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fcntl(int fd, int command, int argument);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getrusage(int who, long* usage);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint syscall(nint number, int pid, uint flags);

    /// <summary>pidfd_open has the same number on every Linux architecture (it came after the tables were unified).</summary>
    private static int pidfd_open(int pid) => (int)syscall(434, pid, 0);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int waitid(int idType, int id, void* info, int options);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int wait4(int pid, int* status, int options, long* usage);

    [LibraryImport("libc")]
    private static partial int posix_spawn(int* pid, byte* path, void* fileActions, void* attributes, byte** argv, byte** envp);

    [LibraryImport("libc")]
    private static partial int posix_spawn_file_actions_init(void* fileActions);

    [LibraryImport("libc")]
    private static partial int posix_spawn_file_actions_destroy(void* fileActions);

    [LibraryImport("libc")]
    private static partial int posix_spawn_file_actions_adddup2(void* fileActions, int fd, int newFd);

    [LibraryImport("libc")]
    private static partial int posix_spawn_file_actions_addopen(void* fileActions, int fd, byte* path, int flags, uint mode);

    [LibraryImport("libc")]
    private static partial int posix_spawn_file_actions_addchdir_np(void* fileActions, byte* path);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_init(void* attributes);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_destroy(void* attributes);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_setflags(void* attributes, short flags);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_setsigmask(void* attributes, void* mask);

    [LibraryImport("libc")]
    private static partial int posix_spawnattr_setsigdefault(void* attributes, void* signals);

    [LibraryImport("libc")]
    private static partial int sigemptyset(void* set);

    [LibraryImport("libc")]
    private static partial int sigfillset(void* set);

    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short ReturnedEvents;
    }
}
