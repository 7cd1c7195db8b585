using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Skein.Modules.Stdio;

/// <summary>
/// Claims this process's stdout for protocol frames, as the Python helper does: frames get a private copy of the
/// descriptor, and descriptor 1 itself is pointed at stderr, so that native code printing to stdout (a C library, a
/// child process inheriting it) lands in the node's log instead of in the middle of a frame.
/// </summary>
internal static class ConsoleStdout
{
    private const int Stdout = 1;
    private const int Stderr = 2;

    public static Stream TakeForFrames()
    {
        Stream frames = Console.OpenStandardOutput();
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            var copy = Dup(Stdout);
            if (copy >= 0)
            {
                if (Dup2(Stderr, Stdout) >= 0)
                {
                    frames.Dispose();
                    frames = new FileStream(new SafeFileHandle(copy, ownsHandle: true), FileAccess.Write, bufferSize: 0);
                }
                else Close(copy);
            }
        }
        // Managed writes go through Console.Out, which may hold its own copy of the original descriptor.
        Console.SetOut(Console.Error);
        return frames;
    }

    [DllImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static extern int Dup(int descriptor);

    [DllImport("libc", EntryPoint = "dup2", SetLastError = true)]
    private static extern int Dup2(int descriptor, int target);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int descriptor);
}
