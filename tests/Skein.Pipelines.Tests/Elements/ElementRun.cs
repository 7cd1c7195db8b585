using Skein.Engine;
using Skein.Pipelines.Elements;

namespace Skein.Pipelines.Tests.Elements;

/// <summary>
/// Runs one element directly, as the runner would run a single invocation: a fresh directory of its own (removed on
/// dispose), a log captured in memory, sub-results collected.
/// </summary>
internal sealed class ElementRun : IDisposable
{
    public ElementRun(IServiceProvider? services = null, string element = "element-under-test")
    {
        Directory = Path.Combine(Path.GetTempPath(), "skein-elements-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        Context = new ElementContext("test-pipeline", element, invocation: 1, invocations: 1, Directory, () => Log, Reporter,
            new ShippedAttemptIdentity(1, element, 1, null), services);
        // The context empties its directory on first use, as a fresh invocation's; tests put files there after that.
        _ = Context.WorkingDirectory;
    }

    public string Directory { get; }

    public StringWriter Log { get; } = new();

    public RecordingReporter Reporter { get; } = new();

    public ElementContext Context { get; }

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Runs <paramref name="element"/> once in this run's context and returns it, for its outputs.</summary>
    public Task<T> RunAsync<T>(T element) where T : Element => RunUntilAsync(element, Ct);

    /// <summary>As <see cref="RunAsync{T}(T)"/>, cancelled by <paramref name="cancellationToken"/>.</summary>
    public async Task<T> RunUntilAsync<T>(T element, CancellationToken cancellationToken) where T : Element
    {
        await element.RunAsync(Context, cancellationToken);
        return element;
    }

    /// <summary>Runs <paramref name="element"/> expecting it to fail; returns the failure, which names the element.</summary>
    public async Task<ElementFailedException> FailsAsync(Element element)
    {
        var failure = await Assert.ThrowsAsync<ElementFailedException>(async () => await element.RunAsync(Context, Ct));
        Assert.Equal(Context.Element, failure.Element);
        Assert.StartsWith(Context.Element + ": ", failure.Message, StringComparison.Ordinal);
        return failure;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A test's leftovers in the temporary directory are harmless.
        }
    }

    internal sealed class RecordingReporter : IAttemptReporter
    {
        public List<(string Name, Outcome Outcome, string? Message)> Results { get; } = [];

        public string LogPath => "";

        public void Report(string name, Outcome outcome, string? message = null) => Results.Add((name, outcome, message));
    }
}
