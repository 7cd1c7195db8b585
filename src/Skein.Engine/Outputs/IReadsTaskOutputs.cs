namespace Skein.Engine;

/// <summary>
/// An action whose definition reads other tasks' outputs (<c>{{tasks.ID.outputs.NAME}}</c>). Validation checks each
/// reference before the run starts; when an attempt starts, the run fills them in (<see cref="WithOutputs"/>) and
/// hands the filled-in action to the executor as <see cref="TaskAttempt.Action"/>.
/// </summary>
/// <remarks>
/// <see cref="CommandAction"/> reads them in its command and environment. Another action (a service call's
/// arguments, say) implements this with <see cref="OutputPlaceholders"/>.
/// </remarks>
public interface IReadsTaskOutputs
{
    /// <summary>
    /// Each reference with the key of the task it is written under ("run", "env.NAME", "args[0]"), so that a problem
    /// can point at its line.
    /// </summary>
    IReadOnlyList<(string Key, OutputReference Reference)> OutputReferences { get; }

    /// <summary>The action with every reference filled in.</summary>
    /// <param name="valueOf">The value of a reference; throws <see cref="MissingOutputException"/> when it was not set.</param>
    /// <exception cref="MissingOutputException">A referenced output was not set.</exception>
    /// <exception cref="ArgumentException">A value cannot stand where its reference is.</exception>
    ITaskAction WithOutputs(Func<OutputReference, string> valueOf);
}
