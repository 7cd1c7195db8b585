using System.Diagnostics;
using System.Text;

namespace Skein.Cli.Pipelines;

/// <summary>
/// What <c>skein pipeline PATH</c> names, turned into a built assembly: a <c>.dll</c> as it is; a <c>.csproj</c>, or a
/// directory holding exactly one, built first with <c>dotnet build -c Release</c> (its output shown only when it fails).
/// </summary>
internal static class PipelineSource
{
    /// <summary>How much of a failed build's output is kept for the error: the end of it, where the errors are summed up.</summary>
    private const int KeptBuildOutputChars = 64 * 1024;

    /// <summary>The assembly to load, building the project first when PATH names one.</summary>
    /// <exception cref="SkeinException">PATH is missing, ambiguous, of a kind skein cannot use, or its project does not build.</exception>
    public static async Task<string> ResolveAsync(string path, TextWriter error, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        if (File.Exists(full))
        {
            if (full.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)) return full;
            if (full.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase)) return await BuildAsync(full, error, cancellationToken).ConfigureAwait(false);
            throw new SkeinException($"{path} is neither a built assembly (.dll) nor a C# project (.csproj)");
        }
        if (!Directory.Exists(full)) throw new SkeinException($"{path} does not exist (give a built .dll, a .csproj, or the directory of one)");
        var projects = Directory.GetFiles(full, "*.csproj", SearchOption.TopDirectoryOnly);
        return projects.Length switch
        {
            1 => await BuildAsync(projects[0], error, cancellationToken).ConfigureAwait(false),
            0 => throw new SkeinException($"{path} holds no C# project (.csproj): give a built .dll, a .csproj, or the directory of one"),
            _ => throw new SkeinException($"{path} holds {projects.Length} projects ({string.Join(", ", projects.Select(Path.GetFileName).Order(StringComparer.Ordinal))}): name the one to use"),
        };
    }

    /// <summary>Builds the project in Release and returns the assembly it made.</summary>
    private static async Task<string> BuildAsync(string project, TextWriter error, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(project);
        await error.WriteLineAsync($"skein: building {name} (Release)").ConfigureAwait(false);
        var build = await DotnetAsync(["build", project, "-c", "Release", "-nologo", "-v", "minimal", "-nodeReuse:false"], cancellationToken).ConfigureAwait(false);
        if (build.ExitCode != 0)
        {
            await error.WriteLineAsync(build.Output.TrimEnd()).ConfigureAwait(false);
            throw new SkeinException($"the project {project} did not build (dotnet build exited with code {build.ExitCode}); nothing ran");
        }
        // Where the assembly went is the project's to say (OutputPath, TargetFramework, AssemblyName may all be its own).
        var target = await DotnetAsync(["msbuild", project, "-nologo", "-getProperty:TargetPath", "-p:Configuration=Release"], cancellationToken).ConfigureAwait(false);
        var assembly = target.ExitCode == 0 ? target.Output.Trim() : "";
        if (assembly.Length == 0 || !File.Exists(assembly))
            throw new SkeinException($"the project {project} built, but its assembly could not be found (dotnet msbuild -getProperty:TargetPath said: {target.Output.Trim()})");
        return assembly;
    }

    private sealed record DotnetResult(int ExitCode, string Output);

    private static async Task<DotnetResult> DotnetAsync(IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        // The build's own terminal logger would draw progress on a terminal it does not have.
        start.Environment["MSBUILDTERMINALLOGGER"] = "false";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        // Build servers left running would hold this process's pipes open past the build's end.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_DO_NOT_USE_MSBUILD_SERVER"] = "1";
        using var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        void Collect(object? sender, DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            lock (output)
            {
                output.AppendLine(e.Data);
                if (output.Length > KeptBuildOutputChars * 2) output.Remove(0, output.Length - KeptBuildOutputChars);
            }
        }
        process.OutputDataReceived += Collect;
        process.ErrorDataReceived += Collect;
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new SkeinException($"cannot start 'dotnet' to build the project: {ex.Message}", ex);
        }
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        lock (output) return new DotnetResult(process.ExitCode, output.ToString());
    }
}
