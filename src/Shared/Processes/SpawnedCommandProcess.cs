using System.Collections;
using System.IO.Pipes;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Skein.Shared.Processes;

/// <summary>
/// Linux: bash started directly by posix_spawn with POSIX_SPAWN_SETSID, so the command leads its own session and
/// process group without an extra setsid(1) exec; its pipes and its exit (a pidfd) are watched by the
/// <see cref="FdWatcher"/>, so no thread waits for it.
/// </summary>
/// <remarks>
/// The child starts as System.Diagnostics.Process would start it: every signal at its default disposition and none
/// blocked, only its three standard descriptors open, the .NET view of the environment. Its exit status is collected
/// here with waitpid; the runtime reaps only children it started itself.
/// </remarks>
[SupportedOSPlatform("linux")]
internal sealed unsafe class SpawnedCommandProcess : CommandProcess, IReadinessListener
{
    private static readonly Lazy<bool> Supported = new(Probe);
    private static (string? Path, string Resolved)? s_bash;

    private readonly FdWatcher _watcher;
    private readonly int _pid;
    private readonly int _pidfd;
    private readonly PipeReadStream _stdout;
    private readonly PipeReadStream _stderr;
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _exitCode;
    private ulong _token;
    private bool _registered;
    private readonly Lock _reapLock = new();
    private int _watching;
    private bool _reaped;

    private SpawnedCommandProcess(FdWatcher watcher, int pid, int pidfd, int stdin, int stdout, int stderr)
    {
        _watcher = watcher;
        // Writes to the command's input block like Process.StandardInput's do; the descriptor stays close-on-exec.
        if (stdin >= 0) StandardInput = new AnonymousPipeClientStream(PipeDirection.Out, new SafePipeHandle(stdin, ownsHandle: true));
        _pid = pid;
        _pidfd = pidfd;
        _stdout = new PipeReadStream(stdout, watcher);
        _stderr = new PipeReadStream(stderr, watcher);
        StandardOutput = Reader(_stdout);
        StandardError = Reader(_stderr);
    }

    public static bool IsSupported => Supported.Value;

    public override int Id => _pid;
    public override Stream? StandardInput { get; }
    public override StreamReader StandardOutput { get; }
    public override StreamReader StandardError { get; }
    public override int ExitCode => _exitCode;

    public override Task WaitForExitAsync(CancellationToken cancellationToken)
    {
        if (!_exited.Task.IsCompleted) WatchExit();
        return _exited.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Output beyond this much waiting in a pipe ends the brief wait, so the command never stalls on a full pipe.</summary>
    private const int BriefWaitOutputLimit = 16 * 1024;

    public override bool WaitForExitBriefly(TimeSpan window)
    {
        if (_exited.Task.IsCompleted) return true;
        // poll(2) waits on the kernel's clock, so this window is measured on it too, not on the run's TimeProvider:
        // it only decides how long this thread lingers before waiting asynchronously, never an outcome.
        var deadline = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(window.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        var fds = stackalloc PollFd[3];
        fds[0] = new PollFd { Fd = _pidfd, Events = Libc.POLLIN };
        fds[1] = new PollFd { Fd = _stdout.Fd, Events = Libc.POLLIN };
        fds[2] = new PollFd { Fd = _stderr.Fd, Events = Libc.POLLIN };
        var count = 3;
        while (true)
        {
            var remaining = System.Diagnostics.Stopwatch.GetElapsedTime(System.Diagnostics.Stopwatch.GetTimestamp(), deadline);
            if (remaining <= TimeSpan.Zero) return false;
            var ready = Libc.poll(fds, (nuint)count, Math.Max(1, (int)Math.Ceiling(remaining.TotalMilliseconds)));
            if (ready < 0)
            {
                if (Marshal.GetLastPInvokeError() == Libc.EINTR) continue;
                return false;
            }
            if (ready == 0) return false;
            if (fds[0].ReturnedEvents != 0)
            {
                Reap(Libc.WNOHANG);
                return _exited.Task.IsCompleted;
            }
            // A pipe with output or at its end: stop watching it, unless so much waits that the command may block.
            for (var i = count - 1; i >= 1; i--)
            {
                if (fds[i].ReturnedEvents == 0) continue;
                int waiting;
                if ((fds[i].ReturnedEvents & Libc.POLLIN) != 0 && Libc.ioctl(fds[i].Fd, Libc.FIONREAD, &waiting) == 0 && waiting >= BriefWaitOutputLimit) return false;
                fds[i] = fds[--count];
            }
        }
    }

    public override void CompleteOutputReads()
    {
        _stdout.CompleteAfterExit();
        _stderr.CompleteAfterExit();
    }

    public static CommandProcess Start(string command, string workingDirectory, IEnumerable<KeyValuePair<string, string>> environment, bool openStandardInput = false)
    {
        var watcher = FdWatcher.Instance!;
        var variables = Environment(environment);
        var bash = FindBash(variables.TryGetValue("PATH", out var path) ? path : null);

        // Parent ends stay close-on-exec; posix_spawn dup2s the child ends onto 0, 1 and 2, which clears the flag there.
        var stdin = stackalloc int[2] { -1, -1 };
        var stdout = stackalloc int[2] { -1, -1 };
        var stderr = stackalloc int[2] { -1, -1 };
        var fileActions = NativeMemory.AllocZeroed(Libc.FileActionsSize);
        var attributes = NativeMemory.AllocZeroed(Libc.SpawnAttrSize);
        var signals = NativeMemory.AllocZeroed(Libc.SigSetSize);
        var strings = new NativeStrings();
        var started = false;
        try
        {
            OpenPipe(stdin);
            OpenPipe(stdout);
            OpenPipe(stderr);

            Check(Libc.posix_spawn_file_actions_init(fileActions), "posix_spawn_file_actions_init");
            Check(Libc.posix_spawn_file_actions_adddup2(fileActions, stdin[0], 0), "posix_spawn_file_actions_adddup2");
            Check(Libc.posix_spawn_file_actions_adddup2(fileActions, stdout[1], 1), "posix_spawn_file_actions_adddup2");
            Check(Libc.posix_spawn_file_actions_adddup2(fileActions, stderr[1], 2), "posix_spawn_file_actions_adddup2");
            Check(Libc.posix_spawn_file_actions_addchdir_np(fileActions, strings.Add(workingDirectory)), "posix_spawn_file_actions_addchdir_np");

            Check(Libc.posix_spawnattr_init(attributes), "posix_spawnattr_init");
            Check(Libc.sigemptyset(signals), "sigemptyset");
            Check(Libc.posix_spawnattr_setsigmask(attributes, signals), "posix_spawnattr_setsigmask");
            Check(Libc.sigfillset(signals), "sigfillset");
            Check(Libc.posix_spawnattr_setsigdefault(attributes, signals), "posix_spawnattr_setsigdefault");
            Check(Libc.posix_spawnattr_setflags(attributes, Libc.POSIX_SPAWN_SETSID | Libc.POSIX_SPAWN_SETSIGMASK | Libc.POSIX_SPAWN_SETSIGDEF), "posix_spawnattr_setflags");

            var argv = strings.Array(["bash", "-c", command]);
            var envp = strings.Array(EnvironmentBlock(variables));
            int pid;
            var error = Libc.posix_spawn(&pid, strings.Add(bash), fileActions, attributes, argv, envp);
            if (error != 0) throw new CommandStartException(Libc.Describe(error));

            var pidfd = Libc.pidfd_open(pid);
            if (pidfd < 0)
            {
                var errno = Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
                ProcessGroups.Kill(pid);
                int status;
                _ = Libc.waitpid(pid, &status, 0);
                throw new CommandStartException($"could not watch bash (pidfd_open: {errno})");
            }
            SetNonBlocking(stdout[0]);
            SetNonBlocking(stderr[0]);
            var process = new SpawnedCommandProcess(watcher, pid, pidfd, openStandardInput ? stdin[1] : -1, stdout[0], stderr[0]);
            started = true;
            return process;
        }
        finally
        {
            // The child has its copies; the parent keeps only the read ends of its output, and closing the write end
            // of stdin (unless it was asked for) leaves the child reading end of file.
            Close(stdin[0]);
            if (!started || !openStandardInput) Close(stdin[1]);
            Close(stdout[1]);
            Close(stderr[1]);
            if (!started)
            {
                Close(stdout[0]);
                Close(stderr[0]);
            }
            _ = Libc.posix_spawn_file_actions_destroy(fileActions);
            _ = Libc.posix_spawnattr_destroy(attributes);
            NativeMemory.Free(fileActions);
            NativeMemory.Free(attributes);
            NativeMemory.Free(signals);
            strings.Dispose();
        }
    }

    private void WatchExit()
    {
        if (Interlocked.Exchange(ref _watching, 1) != 0) return;
        ArmExit();
    }

    private void ArmExit()
    {
        try
        {
            _token = _watcher.Arm(_pidfd, this, ref _registered);
        }
        catch (IOException)
        {
            // The watcher is gone (it cannot be, short of a bug): wait for the exit on a thread of its own instead.
            _ = Task.Factory.StartNew(static state => ((SpawnedCommandProcess)state!).Reap(options: 0), this,
                CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
    }

    void IReadinessListener.OnReadable() => Reap(Libc.WNOHANG);

    /// <summary>Collects the exit status; readiness is a hint, so a child not gone yet is watched again.</summary>
    private void Reap(int options)
    {
        // The brief wait and the watcher may both see the exit; one collects it, under the lock.
        lock (_reapLock)
        {
            if (_reaped) return;
            int status;
            int reaped;
            do reaped = Libc.waitpid(_pid, &status, options);
            while (reaped < 0 && Marshal.GetLastPInvokeError() == Libc.EINTR);

            if (reaped == 0)
            {
                if (Volatile.Read(ref _watching) != 0) ArmExit();
                return;
            }
            _reaped = true;
            // ECHILD: something else in the process reaped our child and took its status with it.
            _exitCode = reaped < 0 ? -1 : (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
            _watcher.Forget(_pidfd, _token, _registered);
            _ = Libc.close(_pidfd);
        }
        _exited.TrySetResult();
    }

    public override void Dispose()
    {
        StandardInput?.Dispose();
        StandardOutput.Dispose();
        StandardError.Dispose();
        // A child nobody waited for is still reaped, by the watcher, whenever it ends.
        if (!_exited.Task.IsCompleted) WatchExit();
    }

    /// <summary>The .NET view of the environment (what Process would pass) with the command's variables on top.</summary>
    private static Dictionary<string, string> Environment(IEnumerable<KeyValuePair<string, string>> overrides)
    {
        var inherited = System.Environment.GetEnvironmentVariables();
        var variables = new Dictionary<string, string>(inherited.Count + 4, StringComparer.Ordinal);
        foreach (DictionaryEntry entry in inherited)
        {
            if (entry.Value is string value) variables[(string)entry.Key] = value;
        }
        foreach (var (key, value) in overrides) variables[key] = value;
        return variables;
    }

    private static List<string> EnvironmentBlock(Dictionary<string, string> variables)
    {
        var block = new List<string>(variables.Count);
        foreach (var (key, value) in variables) block.Add(key + "=" + value);
        return block;
    }

    /// <summary>bash as execvp would find it through the command's PATH (the same every time, so remembered).</summary>
    private static string FindBash(string? path)
    {
        if (s_bash is { } known && known.Path == path) return known.Resolved;
        foreach (var directory in (path ?? "/usr/bin:/bin").Split(':'))
        {
            var candidate = Path.Combine(directory.Length == 0 ? "." : directory, "bash");
            if (!File.Exists(candidate)) continue;
            if ((File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) == 0) continue;
            var resolved = Path.GetFullPath(candidate);
            s_bash = (path, resolved);
            return resolved;
        }
        throw new CommandStartException("bash was not found on PATH");
    }

    private static void OpenPipe(int* fds)
    {
        if (Libc.pipe2(fds, Libc.O_CLOEXEC) != 0)
            throw new CommandStartException($"could not create a pipe: {Libc.Describe(Marshal.GetLastPInvokeError())}");
        // With 0, 1 or 2 closed in this process a pipe could land there, and the dup2s onto 0..2 would overwrite it.
        fds[0] = AboveStandard(fds[0]);
        fds[1] = AboveStandard(fds[1]);
    }

    private static int AboveStandard(int fd)
    {
        if (fd > 2) return fd;
        var moved = Libc.fcntl(fd, Libc.F_DUPFD_CLOEXEC, 3);
        var errno = Marshal.GetLastPInvokeError();
        _ = Libc.close(fd);
        if (moved < 0) throw new CommandStartException($"could not create a pipe: {Libc.Describe(errno)}");
        return moved;
    }

    private static void SetNonBlocking(int fd)
    {
        var flags = Libc.fcntl(fd, Libc.F_GETFL, 0);
        if (flags < 0 || Libc.fcntl(fd, Libc.F_SETFL, flags | Libc.O_NONBLOCK) < 0)
            throw new CommandStartException($"could not set up a pipe: {Libc.Describe(Marshal.GetLastPInvokeError())}");
    }

    private static void Close(int fd)
    {
        if (fd >= 0) _ = Libc.close(fd);
    }

    private static void Check(int error, string call)
    {
        if (error != 0) throw new CommandStartException($"{call} failed: {Libc.Describe(error)}");
    }

    /// <summary>Whether posix_spawn with a new session, chdir in the child and pidfds all work here.</summary>
    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux() || FdWatcher.Instance is null) return false;
        try
        {
            var pidfd = Libc.pidfd_open(System.Environment.ProcessId);
            if (pidfd < 0) return false;
            _ = Libc.close(pidfd);
            var fileActions = NativeMemory.AllocZeroed(Libc.FileActionsSize);
            try
            {
                if (Libc.posix_spawn_file_actions_init(fileActions) != 0) return false;
                var root = stackalloc byte[2] { (byte)'/', 0 };
                var supported = Libc.posix_spawn_file_actions_addchdir_np(fileActions, root) == 0;
                _ = Libc.posix_spawn_file_actions_destroy(fileActions);
                return supported;
            }
            finally
            {
                NativeMemory.Free(fileActions);
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }
}
