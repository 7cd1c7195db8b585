using System.Text;

namespace Skein.Shared.Artifacts;

/// <summary>
/// The relative paths artifacts travel under: checked wherever one arrives from elsewhere (a node's upload, the
/// inputs an attempt is handed), and resolved inside a working directory without ever leaving it.
/// </summary>
internal static class ArtifactPaths
{
    public const int MaxPathChars = 4096;
    public const int MaxSegmentBytes = 255;

    /// <summary>What is wrong with a relative artifact path, or null: not empty, not absolute, no empty, '.' or '..' segment, no NUL, bounded.</summary>
    public static string? Check(string path)
    {
        if (string.IsNullOrEmpty(path)) return "an artifact path must not be empty";
        if (path.Length > MaxPathChars) return $"an artifact path is at most {MaxPathChars} characters, not {path.Length}";
        if (path.Contains('\0')) return "an artifact path must not hold a NUL character";
        if (path[0] == '/' || Path.IsPathRooted(path)) return $"the artifact path '{path}' is absolute; artifacts live inside the working directory";
        foreach (var segment in path.Split('/'))
        {
            if (segment is "" or "." or "..") return $"the artifact path '{path}' has a '{segment}' segment; artifacts live inside the working directory";
            if (Encoding.UTF8.GetByteCount(segment) > MaxSegmentBytes) return $"the artifact path '{Shorten(path)}' has a name longer than {MaxSegmentBytes} bytes";
        }
        return null;
    }

    /// <summary>Whether the text is a SHA-256 as artifacts name their content: 64 lower-case hex digits.</summary>
    public static bool IsSha256(string text)
    {
        if (text.Length != 64) return false;
        foreach (var c in text) if (!char.IsAsciiDigit(c) && c is < 'a' or > 'f') return false;
        return true;
    }

    /// <summary>
    /// The full path of <paramref name="relative"/> under <paramref name="root"/>, creating its directories; refuses
    /// (with the reason) a path whose way there passes through a symlink or a file, which could lead out of the root.
    /// </summary>
    public static string? Prepare(string root, string relative, out string? problem)
    {
        problem = Check(relative);
        if (problem is not null) return null;
        var segments = relative.Split('/');
        var current = Path.GetFullPath(root);
        for (var i = 0; i < segments.Length - 1; i++)
        {
            current = Path.Combine(current, segments[i]);
            var info = new DirectoryInfo(current);
            if (info.LinkTarget is not null)
            {
                problem = $"cannot place the artifact '{relative}': {current} is a symlink, which could lead out of the working directory";
                return null;
            }
            if (File.Exists(current))
            {
                problem = $"cannot place the artifact '{relative}': {current} is a file, not a directory";
                return null;
            }
            if (!info.Exists)
            {
                try
                {
                    Directory.CreateDirectory(current);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    problem = $"cannot place the artifact '{relative}': cannot create {current}: {ex.Message}";
                    return null;
                }
            }
        }
        var target = Path.Combine(current, segments[^1]);
        if (Directory.Exists(target) && new DirectoryInfo(target).LinkTarget is null)
        {
            problem = $"cannot place the artifact '{relative}': {target} is a directory";
            return null;
        }
        return target;
    }

    private static string Shorten(string path) => path.Length <= 80 ? path : path[..40] + "…" + path[^30..];
}
