using Skein.Engine.Templates;
using Skein.Yaml;

namespace Skein.Engine.JobFiles;

/// <summary>Checks the placeholders a job file writes against the names each place may use.</summary>
internal static class PlaceholderCheck
{
    /// <summary>Reports each placeholder in the text that is not among the known names.</summary>
    /// <param name="anyMatrixName">Accept every matrix.* name, because the matrix's own keys could not be read.</param>
    /// <param name="readsOutputs">
    /// The text may read other tasks' outputs (<c>{{tasks.ID.outputs.NAME}}</c>); they are left as written, to be
    /// checked against the job's tasks and filled in when the task starts.
    /// </param>
    public static void Check(
        Located<string> text, IReadOnlyCollection<string> known, bool anyMatrixName, bool readsOutputs, string where, ProblemCollector problems)
    {
        foreach (var placeholder in Placeholders.Find(text.Value))
        {
            var name = placeholder.Name;
            if (known.Contains(name) || anyMatrixName && name.StartsWith(Placeholders.MatrixPrefix, StringComparison.Ordinal)) continue;
            if (OutputReference.TryParse(name, out _))
            {
                if (!readsOutputs)
                    problems.Error($"'{{{{{name}}}}}' {where} reads a task's output, which only 'run' and 'env' can: they are filled in when the task starts", text.Location);
                continue;
            }
            var hint = known.Count == 0
                ? "placeholders exist only in tasks with 'matrix' or 'foreach', besides {{tasks.ID.outputs.NAME}} in 'run' and 'env'"
                : "known here: " + string.Join(", ", known.Select(k => "{{" + k + "}}"));
            problems.Error($"unknown placeholder '{{{{{name}}}}}' {where} ({hint})", text.Location);
        }
    }
}
