using System.Diagnostics;
using System.Globalization;

namespace Skein.Cli.Tests.Wire;

/// <summary>
/// Debian's Python with gRPC (<c>/usr/bin/python3</c> with python3-grpcio and python3-protobuf) and protoc: what the
/// tests of clients in other languages run with. Missing, they fail naming the packages to install, never skip:
/// <c>.ci/run</c> installs them.
/// </summary>
internal static class PythonGrpc
{
    public const string Python = "/usr/bin/python3";

    private const string Packages = "python3-grpcio python3-protobuf protobuf-compiler";

    /// <summary>Fails the test, saying what to install, unless Python can import grpc and protoc runs.</summary>
    public static async Task RequireAsync()
    {
        var python = File.Exists(Python) ? await RunAsync(Python, null, null, "-c", "import grpc, google.protobuf") : null;
        if (python is not { ExitCode: 0 })
            Assert.Fail($"{Python} cannot import grpc and google.protobuf ({python?.Stderr.Trim() ?? "it is not there"}); install {Packages} (apt-get; .ci/run does)");
        ProcessResult? protoc;
        try
        {
            protoc = await RunAsync("protoc", null, null, "--version");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            protoc = null;
        }
        if (protoc is not { ExitCode: 0 }) Assert.Fail($"protoc is not on the PATH; install {Packages} (apt-get; .ci/run does)");
    }

    /// <summary>Generates the Python messages of protos/skein/v1 into <paramref name="directory"/> (as skein/v1/*_pb2.py).</summary>
    public static async Task GenerateAsync(string directory)
    {
        var protos = Path.Combine(RunCommandTests.RepositoryRoot(), "protos");
        var files = Directory.GetFiles(Path.Combine(protos, "skein", "v1"), "*.proto").Order(StringComparer.Ordinal).Select(f => Path.GetRelativePath(protos, f));
        var result = await RunAsync("protoc", protos, null, ["-I", ".", $"--python_out={directory}", .. files]);
        Assert.True(result.ExitCode == 0, $"protoc failed:\n{result}");
    }

    /// <summary>Runs Debian's Python with <paramref name="args"/> in <paramref name="directory"/>, without the SKEIN_ variables of this process.</summary>
    public static Task<ProcessResult> RunPythonAsync(string directory, IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        RunAsync(Python, directory, environment, args);

    private static async Task<ProcessResult> RunAsync(string program, string? directory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory ?? Environment.CurrentDirectory,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var name in new[] { "SKEIN_STATE", "SKEIN_CLUSTER", "SKEIN_TOKEN", "PYTHONPATH", "PYTHONHOME" }) start.Environment.Remove(name);
        start.Environment["SKEIN_TEST_PATIENCE"] = TestPatience.Ceiling.TotalSeconds.ToString(CultureInfo.InvariantCulture);
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TestPatience.Ceiling * 2);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }
}

internal sealed record ProcessResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}
