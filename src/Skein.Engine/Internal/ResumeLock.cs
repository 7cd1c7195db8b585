using Skein.Shared.Text;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Skein.Shared.Processes;

namespace Skein.Engine;

/// <summary>
/// Keeps two <c>--resume</c>s of one job from both running what is left of it: the resuming process holds a lock on
/// <c>locks/resume-JOB.lock</c> in the state directory until its run ends, and a second one is refused with the
/// holder's process id.
/// </summary>
/// <remarks>
/// On Linux the lock is an open file description lock: the kernel drops it when the file is closed or the process
/// ends, however it ends, so a lock left by a process that died is simply free again, and the file itself (which only
/// says who holds it) is never removed. Elsewhere the file is opened exclusively instead, which the runtime backs with
/// flock and which also ends with the process.
/// </remarks>
internal sealed class ResumeLock : IDisposable
{
    public const string DirectoryName = "locks";

    private readonly FileStream _file;

    private ResumeLock(FileStream file) => _file = file;

    /// <exception cref="SkeinException">Another process is resuming the job, or the lock file cannot be used.</exception>
    public static ResumeLock Acquire(string stateDirectory, string jobName)
    {
        var directory = Path.Combine(Path.GetFullPath(stateDirectory), DirectoryName);
        var path = Path.Combine(directory, $"resume-{FileNames.Escape(jobName)}.lock");
        var kernelLock = OperatingSystem.IsLinux();
        FileStream file;
        try
        {
            Directory.CreateDirectory(directory);
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, kernelLock ? FileShare.ReadWrite : FileShare.None);
        }
        catch (IOException) when (!kernelLock && File.Exists(path))
        {
            throw Held(jobName, path, holder: null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SkeinException($"cannot lock job '{jobName}' for --resume: {path}: {e.Message}", e);
        }

        try
        {
            if (kernelLock && !TryLock(file, path)) throw Held(jobName, path, ReadHolder(path));
            // Written in place, not truncated first: a reader never sees the file empty while it is held.
            var pid = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
            file.Position = 0;
            file.Write(pid);
            file.SetLength(pid.Length);
            file.Flush();
            return new ResumeLock(file);
        }
        catch (Exception e)
        {
            file.Dispose();
            if (e is IOException or UnauthorizedAccessException)
                throw new SkeinException($"cannot lock job '{jobName}' for --resume: {path}: {e.Message}", e);
            throw;
        }
    }

    private static unsafe bool TryLock(FileStream file, string path)
    {
        var handle = file.SafeFileHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var whole = new FileLock { Type = Libc.F_WRLCK }; // from offset 0, length 0: the whole file
            if (Libc.fcntl_lock((int)handle.DangerousGetHandle(), Libc.F_OFD_SETLK, &whole) == 0) return true;
            var errno = Marshal.GetLastPInvokeError();
            if (errno is Libc.EAGAIN or Libc.EACCES) return false;
            throw new SkeinException($"cannot lock {path}: {Libc.Describe(errno)}");
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    /// <summary>The holder's process id as it wrote it, or null when the file cannot say.</summary>
    private static int? ReadHolder(string path)
    {
        try
        {
            return int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static SkeinException Held(string jobName, string path, int? holder) => new(
        $"job '{jobName}' is already being resumed by {(holder is { } pid ? $"process {pid}" : "another process")} " +
        $"(it holds {path}); a second --resume would run its remaining tasks again. Wait for that run to end, or stop it.");

    /// <summary>Closing the file releases the lock; the file stays, for the next holder to overwrite.</summary>
    public void Dispose() => _file.Dispose();
}
