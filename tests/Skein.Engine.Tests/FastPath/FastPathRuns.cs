namespace Skein.Engine.Tests.FastPath;

/// <summary>Runs jobs for the fast-path tests, with a bound on every wait so a hung run fails instead of hanging.</summary>
internal static class FastPathRuns
{
    public static readonly TimeSpan Patience = Support.TestPatience.Ceiling;

    public static string TempDir() => Path.Combine(Path.GetTempPath(), "skein-tests", Guid.NewGuid().ToString("N"));

    public static RunOptions Options(int workers = 2) => new() { Workers = workers, StateDirectory = TempDir() };

    public static async Task<List<TaskResult>> CollectAsync(Job job, RunOptions? options = null)
    {
        var results = new List<TaskResult>();
        var collecting = Task.Run(async () =>
        {
            await foreach (var r in JobRunner.RunAsync(job, options ?? Options(), TestContext.Current.CancellationToken)) results.Add(r);
        });
        await collecting.WaitAsync(Patience, TestContext.Current.CancellationToken);
        return results;
    }

    public static async Task<Dictionary<string, TaskResult>> ByIdAsync(Job job, RunOptions? options = null) =>
        (await CollectAsync(job, options)).ToDictionary(r => r.TaskId);

    public static string Quote(string path) => "'" + path.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
