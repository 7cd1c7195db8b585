namespace Skein.Bench.Rpc.Targets;

/// <summary>A deployment whose server can say how it served the calls: which code path, how many envelopes per frame.</summary>
internal interface IReportsServerPaths
{
    /// <summary>One line on what the server did since the last time this was asked; null when it cannot tell.</summary>
    Task<string?> DescribeSinceLastAsync(CancellationToken cancellationToken);
}
