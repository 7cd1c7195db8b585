using System.Runtime.InteropServices;

namespace Skein.Shared.Processes;

/// <summary>The few libc calls the command launcher makes itself (Linux; constants as on x86-64 and arm64).</summary>
internal static unsafe partial class Libc
{
    public const int EINTR = 4;
    public const int ECHILD = 10;
    public const int EAGAIN = 11;

    public const int O_CLOEXEC = 0x80000;
    public const int O_NONBLOCK = 0x800;
    public const int F_GETFL = 3;
    public const int F_SETFL = 4;
    public const int F_DUPFD_CLOEXEC = 1030;

    public const short POSIX_SPAWN_SETSIGDEF = 0x04;
    public const short POSIX_SPAWN_SETSIGMASK = 0x08;
    public const short POSIX_SPAWN_SETSID = 0x80;

    /// <summary>Generous sizes for libc's opaque types (glibc: 80, 336 and 128 bytes), so any libc fits.</summary>
    public const int FileActionsSize = 256;
    public const int SpawnAttrSize = 1024;
    public const int SigSetSize = 256;

    public const int WNOHANG = 1;

    public const short POLLIN = 0x001;
    public const short POLLERR = 0x008;
    public const short POLLHUP = 0x010;

    public const int EPOLL_CTL_ADD = 1;
    public const int EPOLL_CTL_DEL = 2;
    public const int EPOLL_CTL_MOD = 3;
    public const uint EPOLLIN = 0x001;
    public const uint EPOLLONESHOT = 1u << 30;

    /// <summary>pidfd_open has the same number on every Linux architecture (it came after the tables were unified).</summary>
    private const nint SYS_pidfd_open = 434;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int pipe2(int* fds, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int fcntl(int fd, int command, int argument);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);

    /// <summary>Open file description locks: held per open file, released when it is closed or its process ends.</summary>
    public const int F_OFD_SETLK = 37;
    public const short F_WRLCK = 1;
    public const int EACCES = 13;

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int fcntl_lock(int fd, int command, FileLock* fileLock);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int waitpid(int pid, int* status, int options);

    public const nuint FIONREAD = 0x541B;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int ioctl(int fd, nuint request, int* argument);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint syscall(nint number, int pid, uint flags);

    public static int pidfd_open(int pid) => (int)syscall(SYS_pidfd_open, pid, 0);

    [LibraryImport("libc")]
    public static partial int posix_spawn(int* pid, byte* path, void* fileActions, void* attributes, byte** argv, byte** envp);

    [LibraryImport("libc")]
    public static partial int posix_spawn_file_actions_init(void* fileActions);

    [LibraryImport("libc")]
    public static partial int posix_spawn_file_actions_destroy(void* fileActions);

    [LibraryImport("libc")]
    public static partial int posix_spawn_file_actions_adddup2(void* fileActions, int fd, int newFd);

    [LibraryImport("libc")]
    public static partial int posix_spawn_file_actions_addchdir_np(void* fileActions, byte* path);

    [LibraryImport("libc")]
    public static partial int posix_spawnattr_init(void* attributes);

    [LibraryImport("libc")]
    public static partial int posix_spawnattr_destroy(void* attributes);

    [LibraryImport("libc")]
    public static partial int posix_spawnattr_setflags(void* attributes, short flags);

    [LibraryImport("libc")]
    public static partial int posix_spawnattr_setsigmask(void* attributes, void* mask);

    [LibraryImport("libc")]
    public static partial int posix_spawnattr_setsigdefault(void* attributes, void* signals);

    [LibraryImport("libc")]
    public static partial int sigemptyset(void* set);

    [LibraryImport("libc")]
    public static partial int sigfillset(void* set);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_ctl(int epoll, int operation, int fd, void* epollEvent);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int epoll_wait(int epoll, void* events, int maxEvents, int timeout);

    public static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno);
}

/// <summary>struct flock on 64-bit Linux (x86-64 and arm64 lay it out alike).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FileLock
{
    public short Type;
    public short Whence;
    public long Start;
    public long Length;
    public int Pid;
    private readonly int _padding;
}

/// <summary>struct pollfd.</summary>
internal struct PollFd
{
    public int Fd;
    public short Events;
    public short ReturnedEvents;
}
