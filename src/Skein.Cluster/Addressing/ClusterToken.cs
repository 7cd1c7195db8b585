using System.Security.Cryptography;

namespace Skein.Cluster.Addressing;

/// <summary>The cluster's shared secret: made once in the state directory, readable by its owner only.</summary>
public static class ClusterToken
{
    /// <summary>The gRPC metadata header every call carries the token in.</summary>
    public const string Header = "skein-token";

    public const string FileName = "token";

    /// <summary>Reads the token of the state directory, making it at first use.</summary>
    public static string LoadOrCreate(string stateDirectory)
    {
        Directory.CreateDirectory(stateDirectory);
        var path = Path.GetFullPath(Path.Combine(stateDirectory, FileName));
        if (File.Exists(path)) return Read(path);
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var stream = new FileStream(path, options))
            using (var writer = new StreamWriter(stream))
                writer.Write(token + "\n");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            return token;
        }
        catch (IOException) when (File.Exists(path))
        {
            return Read(path); // another process made it first
        }
    }

    /// <summary>The fewest hex digits a token may have: 128 bits.</summary>
    public const int MinimumHexDigits = 32;

    /// <summary>The fewest characters a token of any other alphabet (base64 and the like) may have: 128 bits of base64.</summary>
    public const int MinimumCharacters = 22;

    private const UnixFileMode SharedBits = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;

    /// <summary>
    /// Reads a token file, refusing one that other users may read or write (anyone could learn or replace the
    /// cluster's secret) and a token shorter than 128 bits (it could be guessed).
    /// </summary>
    public static string Read(string path)
    {
        string text;
        try
        {
            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & SharedBits) is var shared && shared != 0)
                throw new SkeinException(
                    $"the token file {path} is {Describe(shared)} by other users, so anyone could learn or replace the cluster's secret; " +
                    $"make it private with 'chmod 600 {path}'");
            text = File.ReadAllText(path).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SkeinException($"cannot read the cluster token from {path}: {ex.Message}", ex);
        }
        if (text.Length == 0) throw new SkeinException($"the token file {path} is empty");
        CheckStrength(text, $"the token in {path}");
        return text;
    }

    /// <summary>Refuses a token under 128 bits: fewer than 32 hex digits, or fewer than 22 characters of another alphabet.</summary>
    /// <exception cref="SkeinException">The token is too short; the message starts with <paramref name="what"/>.</exception>
    public static void CheckStrength(string token, string what)
    {
        var hex = token.All(char.IsAsciiHexDigit);
        var minimum = hex ? MinimumHexDigits : MinimumCharacters;
        if (token.Length >= minimum) return;
        throw new SkeinException(
            $"{what} is too short to keep the cluster safe: {token.Length} {(hex ? "hex digits" : "characters")}, where at least 128 bits " +
            $"({MinimumHexDigits} hex digits, or {MinimumCharacters} characters of base64) are needed; " +
            "remove the file to have 'skein coordinator' or 'skein up' make a new one, or write a longer random token");
    }

    private static string Describe(UnixFileMode shared)
    {
        var readable = (shared & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0;
        var writable = (shared & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0;
        return readable && writable ? "readable and writable" : readable ? "readable" : "writable";
    }
}
