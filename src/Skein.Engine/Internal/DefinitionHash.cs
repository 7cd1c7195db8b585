using System.Security.Cryptography;
using System.Text;

namespace Skein.Engine;

/// <summary>A digest of everything that decides what a task does; --resume re-runs a task whose digest changed.</summary>
internal static class DefinitionHash
{
    public static string Compute(TaskSpec spec)
    {
        var text = new StringBuilder(256)
            .Append(spec.Id).Append('\n')
            .Append(spec.Action.Fingerprint).Append('\n')
            .AppendJoin(',', spec.Needs).Append('\n')
            .AppendJoin(',', spec.Provides).Append('\n')
            .AppendJoin(',', spec.Claims).Append('\n')
            .AppendJoin(',', spec.Uses).Append('\n')
            .Append(spec.Timeout?.Ticks).Append('\n')
            .Append(spec.Retries).Append('\n')
            .Append(spec.Group).Append('\n')
            .Append(spec.Version)
            .ToString();
        // Only tasks that hand files on say so: the hash of every other task stays what it was before artifacts existed.
        if (spec.Artifacts.Count > 0) text += "\nartifacts:" + string.Join('\n', spec.Artifacts);
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), digest);
        return Convert.ToHexStringLower(digest[..12]);
    }
}
