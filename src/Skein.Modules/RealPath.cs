namespace Skein.Modules;

/// <summary>
/// A path with every symbolic link in it resolved, in every component, as realpath(3) does: what the path really names
/// on disk. The module allowlist checks this, not the text it was given, so a link inside an allowed directory cannot
/// lead a load outside it.
/// </summary>
/// <remarks>
/// Managed rather than realpath(3) itself, so a path whose last components do not exist yet still resolves (they are
/// kept as they are: they cannot be links).
/// </remarks>
internal static class RealPath
{
    /// <summary>As many links as Linux follows in one path before it gives up (ELOOP).</summary>
    private const int MaxLinks = 40;

    /// <exception cref="SkeinException">The path goes through more than 40 links (a loop, most likely).</exception>
    public static string Of(string path)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full)!;
        var pending = new Stack<string>(Components(full[root.Length..]).Reverse());
        var current = root;
        var links = 0;
        while (pending.TryPop(out var part))
        {
            if (part == ".") continue;
            if (part == "..")
            {
                // The directory so far is already real, so its parent is where ".." really leads.
                current = Path.GetDirectoryName(current) ?? root;
                continue;
            }
            var next = Path.Join(current, part);
            if (LinkTarget(next) is not { } target)
            {
                current = next;
                continue;
            }
            if (++links > MaxLinks) throw new SkeinException($"{full} goes through more than {MaxLinks} symbolic links (a loop?)");
            if (Path.IsPathRooted(target)) current = Path.GetPathRoot(target)!;
            foreach (var component in Components(Path.IsPathRooted(target) ? target[Path.GetPathRoot(target)!.Length..] : target).Reverse()) pending.Push(component);
        }
        return current;
    }

    private static string? LinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Not readable as a link (a component is a file, or access is denied): taken as it is.
            return null;
        }
    }

    private static string[] Components(string relative) =>
        relative.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
}
