using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Skein.Shared.Text;

internal static class FileNames
{
    /// <summary>Room left for a suffix such as ".12.log" within the usual 255-byte limit of a file name.</summary>
    private const int MaxNameBytes = 200;

    /// <summary>How many bytes of an over-long escaped id are kept before its hash.</summary>
    private const int TruncatedBytes = 160;

    /// <summary>
    /// A task id as a file name, different for every id: letters (of any script), digits, '.', '-' and '_' stay as
    /// they are; every other character becomes '%' and its UTF-8 bytes in hex ("a/b" is "a%2Fb", "a_b" stays), as does
    /// a leading '.', so no name is hidden, "." or "..". An id whose name would be too long keeps its start and gets
    /// '~' and a hash of the whole id; neither '%' nor '~' can appear otherwise, so no two ids share a name.
    /// </summary>
    public static string Escape(string id)
    {
        if (IsPlain(id)) return id;

        var name = new StringBuilder(id.Length + 16);
        Span<byte> utf8 = stackalloc byte[4];
        var index = 0;
        while (index < id.Length)
        {
            if (Rune.DecodeFromUtf16(id.AsSpan(index), out var rune, out var used) != System.Buffers.OperationStatus.Done)
            {
                // A lone surrogate has no UTF-8 form; its code unit still names it uniquely.
                name.Append("%u").Append(((int)id[index]).ToString("X4", CultureInfo.InvariantCulture));
                index++;
                continue;
            }
            var keep = rune.IsAscii ? IsPlainAscii((char)rune.Value) : Rune.IsLetterOrDigit(rune);
            if (keep && !(index == 0 && rune.Value == '.'))
            {
                name.Append(id, index, used);
            }
            else
            {
                var length = rune.EncodeToUtf8(utf8);
                for (var i = 0; i < length; i++) name.Append('%').Append(utf8[i].ToString("X2", CultureInfo.InvariantCulture));
            }
            index += used;
        }
        return Shorten(name.ToString(), id);
    }

    private static bool IsPlain(string id)
    {
        if (id.Length == 0 || id[0] == '.' || id.Length > MaxNameBytes) return false;
        foreach (var c in id)
        {
            if (!IsPlainAscii(c)) return false;
        }
        return true;
    }

    private static bool IsPlainAscii(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_';

    private static string Shorten(string name, string id)
    {
        if (Encoding.UTF8.GetByteCount(name) <= MaxNameBytes) return name;
        var kept = new StringBuilder(TruncatedBytes + 20);
        var bytes = 0;
        foreach (var rune in name.EnumerateRunes())
        {
            bytes += rune.Utf8SequenceLength;
            if (bytes > TruncatedBytes) break;
            kept.Append(rune.ToString());
        }
        var hash = SHA256.HashData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(id.AsSpan()));
        return kept.Append('~').Append(Convert.ToHexStringLower(hash.AsSpan(0, 8))).ToString();
    }
}
