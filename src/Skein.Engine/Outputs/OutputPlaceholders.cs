using Skein.Engine.Templates;
using Skein.Engine.JobFiles;

namespace Skein.Engine;

/// <summary>
/// Finds and fills <c>{{tasks.ID.outputs.NAME}}</c> in the texts of a task's definition. An action whose definition
/// reads outputs (<see cref="IReadsTaskOutputs"/>) uses these to fill in its texts when an attempt starts.
/// </summary>
public static class OutputPlaceholders
{
    /// <summary>The output references in a text, in order (raw or not).</summary>
    public static IReadOnlyList<OutputReference> Find(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        List<OutputReference>? found = null;
        foreach (var placeholder in Placeholders.Find(text))
        {
            if (OutputReference.TryParse(placeholder.Name, out var reference)) (found ??= []).Add(reference);
        }
        return (IReadOnlyList<OutputReference>?)found ?? [];
    }

    /// <summary>
    /// The text with each output reference replaced by its value as it is (for an environment variable), or as
    /// <paramref name="encode"/> makes it (for JSON arguments, say). Other placeholders stay as written.
    /// </summary>
    /// <param name="valueOf">The value of a reference; throws <see cref="MissingOutputException"/> when there is none.</param>
    public static string Fill(string text, Func<OutputReference, string> valueOf, Func<string, string>? encode = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(valueOf);
        var values = Values(text, valueOf);
        if (values.Count == 0) return text;
        if (encode is not null)
        {
            foreach (var key in values.Keys.ToList()) values[key] = encode(values[key]);
        }
        return Placeholders.Substitute(text, values);
    }

    /// <summary>
    /// A shell command with each output reference filled in, quoted for where it stands exactly like every other
    /// placeholder of a <c>run</c> command (<c>{{raw tasks.ID.outputs.NAME}}</c> pastes the value as code).
    /// </summary>
    /// <exception cref="MissingOutputException">A referenced output was not set.</exception>
    /// <exception cref="ArgumentException">A value cannot stand where its reference is (after a backslash, say).</exception>
    public static string FillCommand(string command, Func<OutputReference, string> valueOf)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(valueOf);
        var values = Values(command, valueOf);
        if (values.Count == 0) return command;
        var problems = new List<string>();
        var filled = CommandPlaceholders.Fill(command, values, problems);
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems));
        return filled;
    }

    /// <summary>Why a command's references can never be filled in safely, whatever their values; empty when they can.</summary>
    internal static List<string> CheckCommand(string command)
    {
        var problems = new List<string>();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var reference in Find(command)) values[reference.ToString()] = "x";
        if (values.Count > 0) CommandPlaceholders.Fill(command, values, problems);
        return problems;
    }

    private static Dictionary<string, string> Values(string text, Func<OutputReference, string> valueOf)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var reference in Find(text))
        {
            var key = reference.ToString();
            if (!values.ContainsKey(key)) values[key] = valueOf(reference);
        }
        return values;
    }
}

/// <summary>A task reads an output that the task it names did not set.</summary>
public sealed class MissingOutputException(OutputReference reference, string message) : SkeinException(message)
{
    public OutputReference Reference { get; } = reference;
}
