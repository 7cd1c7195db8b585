namespace Skein.Engine;

/// <summary>
/// A reference to another task's output, written <c>{{tasks.ID.outputs.NAME}}</c> in a task's definition. The task
/// id may hold dots; the name may not (see <see cref="TaskOutputs.IsValidName"/>).
/// </summary>
public readonly record struct OutputReference(string TaskId, string Name)
{
    private const string TasksPrefix = "tasks.";
    private const string OutputsInfix = ".outputs.";

    /// <summary>Reads a placeholder's name (what stands between the braces, without <c>raw</c>) as a reference.</summary>
    public static bool TryParse(string placeholder, out OutputReference reference)
    {
        reference = default;
        if (placeholder is null || !placeholder.StartsWith(TasksPrefix, StringComparison.Ordinal)) return false;
        var infix = placeholder.LastIndexOf(OutputsInfix, StringComparison.Ordinal);
        if (infix <= TasksPrefix.Length) return false;
        var taskId = placeholder[TasksPrefix.Length..infix];
        var name = placeholder[(infix + OutputsInfix.Length)..];
        if (string.IsNullOrWhiteSpace(taskId) || name.Length == 0) return false;
        reference = new OutputReference(taskId, name);
        return true;
    }

    /// <summary>The placeholder's name: <c>tasks.ID.outputs.NAME</c>.</summary>
    public override string ToString() => $"{TasksPrefix}{TaskId}{OutputsInfix}{Name}";
}
