using Skein.Pipelines;

namespace Skein.Cli.Pipelines;

/// <summary>
/// What every <c>skein pipeline</c> command starts with: PATH built and loaded, its <c>[Pipeline]</c> members found,
/// the one named by <c>--pipeline</c> (or the only one) built.
/// </summary>
internal static class PipelineLoading
{
    /// <summary>A pipeline ready to check, draw or run, with where it came from.</summary>
    internal sealed record LoadedPipeline(PipelineAssembly Assembly, PipelineDefinition Definition, Pipeline Pipeline);

    /// <exception cref="SkeinException">PATH cannot be built or loaded, it exposes no pipeline, or several and none was named.</exception>
    public static async Task<LoadedPipeline> LoadAsync(string path, string? name, TextWriter error, CancellationToken cancellationToken)
    {
        var assemblyPath = await PipelineSource.ResolveAsync(path, error, cancellationToken).ConfigureAwait(false);
        var assembly = PipelineAssembly.Load(assemblyPath);
        IReadOnlyList<PipelineDefinition> found;
        try
        {
            found = PipelineDiscovery.Find(assembly.Assembly);
        }
        catch (PipelineDiscoveryException ex)
        {
            throw new SkeinException(ex.Problems.Count == 0
                ? $"cannot read the pipelines of {assemblyPath}: {ex.Message}"
                : $"cannot read the pipelines of {assemblyPath}:" + string.Concat(ex.Problems.Select(p => $"{Environment.NewLine}  {p}")), ex);
        }
        var definition = Select(found, name, assemblyPath);
        Pipeline pipeline;
        try
        {
            pipeline = definition.Build();
        }
        catch (PipelineDiscoveryException ex)
        {
            // The user's code that builds the pipeline threw, or returned null: the message names the member and what it said.
            throw new SkeinException(ex.Message, ex);
        }
        return new LoadedPipeline(assembly, definition, pipeline);
    }

    private static PipelineDefinition Select(IReadOnlyList<PipelineDefinition> found, string? name, string assemblyPath)
    {
        if (found.Count == 0)
            throw new SkeinException($"{assemblyPath} exposes no pipeline: mark a public static method or property returning Pipeline with [Pipeline]");
        if (name is not null)
        {
            // By the member's name (any case: "sums" finds Sums), or its full name when two types have one of that name.
            var named = found.Where(d => string.Equals(d.FullName, name, StringComparison.Ordinal)).ToList();
            if (named.Count == 0) named = [.. found.Where(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase))];
            if (named.Count > 1)
                throw new SkeinException($"{assemblyPath} has {named.Count} pipelines named '{name}'; name one by its full name: {string.Join(", ", named.Select(d => d.FullName).Order(StringComparer.Ordinal))}");
            return named.FirstOrDefault()
                ?? throw new SkeinException($"{assemblyPath} has no pipeline named '{name}'; it has: {Names(found)}");
        }
        if (found.Count == 1) return found[0];
        throw new SkeinException($"{assemblyPath} has {found.Count} pipelines; name one with --pipeline NAME:" +
            string.Concat(found.Select(d => d.Name).Order(StringComparer.Ordinal).Select(n => $"{Environment.NewLine}  {n}")));
    }

    private static string Names(IReadOnlyList<PipelineDefinition> found) => string.Join(", ", found.Select(d => d.Name).Order(StringComparer.Ordinal));
}
