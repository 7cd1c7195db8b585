using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Skein.Modules.Isolated;

/// <summary>
/// The command line that starts the module host for an assembly: <c>dotnet skein-module-host.dll PATH</c>, with the
/// same <c>dotnet</c> that runs the node, so the host gets the node's runtime whether the node was started as
/// <c>dotnet skein.dll</c>, as an apphost, or inside a test runner.
/// </summary>
internal static class ModuleHostCommand
{
    /// <summary>The host's file name, beside the node's own assemblies.</summary>
    public const string HostFileName = IsolatedModuleOptions.HostFileName;

    public static ProcessStartInfo For(string assembly, IsolatedModuleOptions options)
    {
        var host = options.HostPath ?? Path.Combine(AppContext.BaseDirectory, HostFileName);
        if (!File.Exists(host))
            throw new SkeinException($"cannot run {assembly} isolated: the module host {host} is missing (it is built and installed beside skein)");
        var start = new ProcessStartInfo(options.DotnetPath ?? Dotnet());
        start.ArgumentList.Add(host);
        start.ArgumentList.Add(assembly);
        return start;
    }

    private static string Dotnet()
    {
        var executable = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        // Started as `dotnet x.dll`: the same muxer.
        if (Environment.ProcessPath is { } self && Path.GetFileName(self).Equals(executable, StringComparison.OrdinalIgnoreCase)) return self;
        // An apphost or a test runner: the SDK names its muxer, and the runtime's folder sits under the muxer's root.
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } named && File.Exists(named)) return named;
        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var beside = Path.Combine(root, executable);
        return File.Exists(beside) ? beside : executable;
    }
}
