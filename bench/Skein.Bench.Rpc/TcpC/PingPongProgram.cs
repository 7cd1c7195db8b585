using System.Diagnostics;
using Skein.Bench.Rpc.Targets;

namespace Skein.Bench.Rpc.TcpC;

/// <summary>Builds <c>pingpong.c</c> (copied beside the bench) with the system's C compiler, when missing or older than its source.</summary>
internal static class PingPongProgram
{
    public static async Task<string> BuildAsync(CancellationToken cancellationToken)
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "TcpC");
        var source = Path.Combine(directory, "pingpong.c");
        var program = Path.Combine(directory, "pingpong");
        if (!File.Exists(source)) throw new TargetUnavailableException($"the C ping-pong's source is not beside the bench ({source}); build the bench again");
        if (File.Exists(program) && File.GetLastWriteTimeUtc(program) >= File.GetLastWriteTimeUtc(source)) return program;

        var compiler = FindOnPath("gcc") ?? FindOnPath("cc")
            ?? throw new TargetUnavailableException("no C compiler (gcc or cc) on PATH to build the C ping-pong");
        var start = new ProcessStartInfo(compiler)
        {
            ArgumentList = { "-O2", "-Wall", "-pthread", "-o", program, source },
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var build = Process.Start(start) ?? throw new InvalidOperationException($"could not start {compiler}");
        var errors = await build.StandardError.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        await build.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (build.ExitCode != 0) throw new InvalidOperationException($"{compiler} could not build {source}: {errors.Trim()}");
        Console.Error.WriteLine($"{TcpPingPongDeployment.Name}: built {program} with {compiler} -O2");
        return program;
    }

    private static string? FindOnPath(string name)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
