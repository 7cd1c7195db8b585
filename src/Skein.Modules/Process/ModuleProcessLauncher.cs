using Skein.Shared.Processes;

namespace Skein.Modules.Process;

/// <summary>
/// Starts a module's program the one way the engine starts a task's command: bash as the leader of a new session and
/// process group (posix_spawn with a new session on Linux), which then <c>exec</c>s the program in its place. The
/// module keeps that process id, so its id is its group's id, and whatever it starts (a <c>sleep 1000 &amp;</c>, a
/// worker pool) is in its group and goes when the group is killed.
/// </summary>
internal static class ModuleProcessLauncher
{
    /// <exception cref="CommandStartException">bash could not be started.</exception>
    public static CommandProcess Start(string program, IEnumerable<string> arguments, string workingDirectory, IEnumerable<KeyValuePair<string, string>> environment) =>
        CommandProcess.Start("exec " + string.Join(' ', new[] { program }.Concat(arguments).Select(Quote)), workingDirectory, environment, openStandardInput: true);

    /// <summary>Kills every process left in the module's group (the module itself, its children and theirs).</summary>
    public static void KillGroup(int groupId) => ProcessGroups.Kill(groupId);

    // One word for bash whatever it holds: single quotes take everything literally but a single quote, written '\''.
    private static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
