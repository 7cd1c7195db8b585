using System.Diagnostics;

namespace Skein.Bench.Rpc.Load;

/// <summary>
/// Drives echo targets closed-loop: each of N callers calls, checks that the reply equals its argument, and calls
/// again at once, for a warm-up and then a measured window. Reports calls/s and latency percentiles.
/// </summary>
public sealed class LoadRunner
{
    // Arguments cycle through this many distinct texts per caller, so a reply cannot pass for another call's.
    private const int TextsPerCaller = 16;

    private readonly LoadOptions _options;

    public LoadRunner(LoadOptions options)
    {
        options.Validate();
        _options = options;
    }

    public LoadOptions Options => _options;

    /// <summary>Where the client's allocations go, by type, when asked for (<see cref="Reporting.AllocationSampler"/>).</summary>
    public Reporting.AllocationSampler? Sampler { get; init; }

    /// <summary>Calls through <paramref name="callers"/> for <see cref="LoadOptions.StartWarmUp"/>, measuring nothing.</summary>
    public async Task WarmUpAsync(IReadOnlyList<IEchoTarget> callers, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfZero(callers.Count);
        if (_options.StartWarmUp <= TimeSpan.Zero) return;
        var texts = new string[callers.Count][];
        for (var i = 0; i < callers.Count; i++) texts[i] = Texts(i, _options.TextLength);
        await DriveAsync(callers, texts, _options.StartWarmUp, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs one concurrency level: one caller per target in <paramref name="callers"/>, all at once.</summary>
    /// <param name="serverAllocated">Asks the server's process for its allocated bytes, read before and after the window.</param>
    public async Task<LevelResult> RunLevelAsync(IReadOnlyList<IEchoTarget> callers, CancellationToken cancellationToken,
        Func<CancellationToken, Task<long>>? serverAllocated = null)
    {
        ArgumentOutOfRangeException.ThrowIfZero(callers.Count);
        var texts = new string[callers.Count][];
        for (var i = 0; i < callers.Count; i++) texts[i] = Texts(i, _options.TextLength);

        if (_options.WarmUp > TimeSpan.Zero) await DriveAsync(callers, texts, _options.WarmUp, cancellationToken).ConfigureAwait(false);

        // Garbage of the warm-up (and of earlier levels) is not this window's to collect.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        var serverBefore = serverAllocated is null ? 0 : await serverAllocated(cancellationToken).ConfigureAwait(false);
        Sampler?.Begin();
        var clientBefore = GC.GetTotalAllocatedBytes(precise: true);
        var histograms = await DriveAsync(callers, texts, _options.Duration, cancellationToken).ConfigureAwait(false);
        var clientAfter = GC.GetTotalAllocatedBytes(precise: true);
        Sampler?.End($"{callers.Count} callers", Console.Error);
        var serverAfter = serverAllocated is null ? 0 : await serverAllocated(cancellationToken).ConfigureAwait(false);
        var all = new LatencyHistogram();
        foreach (var histogram in histograms) all.Add(histogram);
        // Each caller made one more call than it recorded: the one that ended after the window closed.
        var made = Math.Max(1, all.Count + callers.Count);
        return new LevelResult(
            callers.Count,
            all.Count,
            _options.Duration,
            LatencyHistogram.TicksToMicroseconds(all.TicksAtPercentile(50)),
            LatencyHistogram.TicksToMicroseconds(all.TicksAtPercentile(99)),
            LatencyHistogram.TicksToMicroseconds(all.MaxTicks))
        {
            ClientBytesPerCall = (double)(clientAfter - clientBefore) / made,
            ServerBytesPerCall = serverAllocated is null ? double.NaN : (double)(serverAfter - serverBefore) / made,
        };
    }

    private static async Task<LatencyHistogram[]> DriveAsync(
        IReadOnlyList<IEchoTarget> callers, string[][] texts, TimeSpan duration, CancellationToken cancellationToken)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var histograms = new LatencyHistogram[callers.Count];
        var window = new Window();
        var tasks = new Task[callers.Count];
        for (var i = 0; i < callers.Count; i++)
        {
            histograms[i] = new LatencyHistogram();
            var caller = i;
            tasks[i] = Task.Run(() => CallAsync(callers[caller], texts[caller], histograms[caller], window, failed), CancellationToken.None);
        }

        // Every caller is parked on the gate, so none gets a head start while the others are still being scheduled.
        window.Open(Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency));
        // A failing caller cancels the others; awaiting WhenAll then throws the failure, not their cancellations.
        await Task.WhenAll(tasks).ConfigureAwait(false);
        return histograms;
    }

    private static async Task CallAsync(IEchoTarget target, string[] texts, LatencyHistogram histogram, Window window, CancellationTokenSource failed)
    {
        var cancellationToken = failed.Token;
        try
        {
            await window.Opened.ConfigureAwait(false);
            var deadline = window.Deadline;
            var next = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var text = texts[next];
                next = (next + 1) % texts.Length;
                var started = Stopwatch.GetTimestamp();
                var reply = await target.EchoAsync(text, cancellationToken).ConfigureAwait(false);
                var ended = Stopwatch.GetTimestamp();
                if (!string.Equals(reply, text, StringComparison.Ordinal)) throw new EchoMismatchException(text, reply);
                // A call still running when the window closes counts for neither the rate nor the latencies.
                if (ended >= deadline) return;
                histogram.Record(ended - started);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await failed.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static string[] Texts(int caller, int length)
    {
        var texts = new string[TextsPerCaller];
        for (var i = 0; i < texts.Length; i++)
        {
            var prefix = $"{caller:D3}.{i:D2}:";
            texts[i] = prefix + new string((char)('a' + i), length - prefix.Length);
        }
        return texts;
    }

    /// <summary>The measured window: a gate all callers wait on, and the moment it closes.</summary>
    private sealed class Window
    {
        private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Opened => _opened.Task;

        // Written before the gate opens and read only after it, so the task's completion publishes it.
        public long Deadline { get; private set; }

        public void Open(long deadline)
        {
            Deadline = deadline;
            _opened.SetResult();
        }
    }
}
