using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Skein.Yaml;

/// <summary>
/// Reads the text of a YAML file for the shared reader: at most <see cref="YamlLimits.MaxBytes"/>, and strictly
/// decoded, so a byte that is not UTF-8 is refused with its line and column instead of turning into U+FFFD inside
/// a task id or module name.
/// </summary>
public static class YamlFileText
{
    private static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];

    /// <summary>The file's text, or null with the one problem that stops it being read.</summary>
    /// <param name="fullPath">The file to read.</param>
    /// <param name="nameForMessages">The file as the user wrote it, which messages name.</param>
    public static string? Read(string fullPath, string nameForMessages, out ValidationProblem? problem)
    {
        problem = null;
        byte[] bytes;
        int length;
        try
        {
            using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
            if (stream.CanSeek && stream.Length > YamlLimits.MaxBytes)
            {
                problem = TooLarge(nameForMessages);
                return null;
            }
            // Read one byte past the limit: a pipe or a file that grew says it is too large only by having more.
            bytes = new byte[stream.CanSeek ? (int)stream.Length + 1 : 64 * 1024];
            length = 0;
            while (true)
            {
                if (length == bytes.Length)
                {
                    if (bytes.Length > YamlLimits.MaxBytes) break;
                    Array.Resize(ref bytes, Math.Min(bytes.Length * 2, YamlLimits.MaxBytes + 1));
                }
                var read = stream.Read(bytes, length, bytes.Length - length);
                if (read == 0) break;
                length += read;
            }
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            problem = ValidationProblem.Error($"file not found: {nameForMessages}");
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            problem = ValidationProblem.Error($"cannot read {nameForMessages}: {ex.Message}");
            return null;
        }
        if (length > YamlLimits.MaxBytes)
        {
            problem = TooLarge(nameForMessages);
            return null;
        }
        return Decode(bytes.AsSpan(0, length), nameForMessages, out problem);
    }

    /// <summary>
    /// UTF-8 (a byte order mark is skipped), or UTF-16 or UTF-32 when a byte order mark says so, as YAML allows;
    /// null with the position of the first sequence that is not valid.
    /// </summary>
    internal static string? Decode(ReadOnlySpan<byte> bytes, string nameForMessages, out ValidationProblem? problem)
    {
        problem = null;
        if (OtherEncoding(bytes) is { } other)
        {
            try
            {
                return other.GetString(bytes[other.Preamble.Length..]);
            }
            catch (DecoderFallbackException ex)
            {
                problem = ValidationProblem.Error(
                    $"{nameForMessages} is not valid {other.WebName} text (byte {other.Preamble.Length + ex.Index + 1}); save it as UTF-8",
                    new SourceLocation(nameForMessages, 1, 1));
                return null;
            }
        }

        if (bytes.StartsWith(Utf8Bom)) bytes = bytes[Utf8Bom.Length..];
        var chars = ArrayPool<char>.Shared.Rent(Math.Max(bytes.Length, 1));
        try
        {
            var status = Utf8.ToUtf16(bytes, chars, out _, out var written, replaceInvalidSequences: false);
            if (status == OperationStatus.Done) return new string(chars, 0, written);

            // Everything before the bad byte decoded, so its line and column count the characters the user sees.
            var valid = chars.AsSpan(0, written);
            var line = valid.Count('\n') + 1;
            var column = written - (valid.LastIndexOf('\n') + 1) + 1;
            problem = ValidationProblem.Error(
                "the file is not valid UTF-8 text here; save it as UTF-8 (names and commands must be text)",
                new SourceLocation(nameForMessages, line, column));
            return null;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    private static Encoding? OtherEncoding(ReadOnlySpan<byte> bytes)
    {
        // UTF-32 LE's mark begins with UTF-16 LE's, so it is checked first.
        if (bytes.StartsWith((byte[])[0xFF, 0xFE, 0x00, 0x00])) return new UTF32Encoding(bigEndian: false, byteOrderMark: true, throwOnInvalidCharacters: true);
        if (bytes.StartsWith((byte[])[0x00, 0x00, 0xFE, 0xFF])) return new UTF32Encoding(bigEndian: true, byteOrderMark: true, throwOnInvalidCharacters: true);
        if (bytes.StartsWith((byte[])[0xFF, 0xFE])) return new UnicodeEncoding(bigEndian: false, byteOrderMark: true, throwOnInvalidBytes: true);
        if (bytes.StartsWith((byte[])[0xFE, 0xFF])) return new UnicodeEncoding(bigEndian: true, byteOrderMark: true, throwOnInvalidBytes: true);
        return null;
    }

    private static ValidationProblem TooLarge(string nameForMessages) =>
        ValidationProblem.Error(
            $"{nameForMessages} is larger than {YamlLimits.MaxBytes / (1024 * 1024)} MiB, the most Skein reads of a YAML file",
            new SourceLocation(nameForMessages, 1, 1));
}
