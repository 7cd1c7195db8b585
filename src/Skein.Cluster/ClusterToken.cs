using System.Security.Cryptography;

namespace Skein.Cluster;

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
        var path = Path.Combine(stateDirectory, FileName);
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

    public static string Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SkeinException($"cannot read the cluster token from {path}: {ex.Message}", ex);
        }
        if (text.Length == 0) throw new SkeinException($"the token file {path} is empty");
        return text;
    }
}
