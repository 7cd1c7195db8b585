using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Skein.Engine;

/// <summary>A digest of everything that decides what a task does; --resume re-runs a task whose digest changed.</summary>
/// <remarks>
/// Computed for every task of a journaled run before it starts, so it builds its text in a stack buffer (or a rented
/// one for a long definition) rather than through a StringBuilder and two intermediate strings. The text, and so
/// the digest, is exactly what earlier versions computed: a journal written by them resumes with this one.
/// </remarks>
internal static class DefinitionHash
{
    private const int StackChars = 512;

    public static string Compute(TaskSpec spec)
    {
        var capacity = MaxLength(spec);
        char[]? rentedChars = null;
        var chars = capacity <= StackChars ? stackalloc char[StackChars] : (rentedChars = ArrayPool<char>.Shared.Rent(capacity));
        byte[]? rentedBytes = null;
        try
        {
            var text = new TextBuffer(chars);
            text.Append(spec.Id);
            text.Append('\n');
            text.Append(spec.Action.Fingerprint);
            text.Append('\n');
            text.AppendJoin(',', spec.Needs);
            text.Append('\n');
            text.AppendJoin(',', spec.Provides);
            text.Append('\n');
            text.AppendJoin(',', spec.Claims);
            text.Append('\n');
            text.AppendJoin(',', spec.Uses);
            text.Append('\n');
            if (spec.Timeout is { } timeout) text.AppendNumber(timeout.Ticks);
            text.Append('\n');
            text.AppendNumber(spec.Retries);
            text.Append('\n');
            text.Append(spec.Group);
            text.Append('\n');
            text.Append(spec.Version);
            // Only tasks that hand files on say so: the hash of every other task stays what it was before artifacts existed.
            if (spec.Artifacts.Count > 0)
            {
                text.Append("\nartifacts:");
                text.AppendJoin('\n', spec.Artifacts);
            }

            var written = text.Written;
            var maxBytes = Encoding.UTF8.GetMaxByteCount(written.Length);
            var bytes = maxBytes <= StackChars * 3 ? stackalloc byte[StackChars * 3] : (rentedBytes = ArrayPool<byte>.Shared.Rent(maxBytes));
            var length = Encoding.UTF8.GetBytes(written, bytes);
            Span<byte> digest = stackalloc byte[32];
            SHA256.HashData(bytes[..length], digest);
            return Convert.ToHexStringLower(digest[..12]);
        }
        finally
        {
            if (rentedChars is not null) ArrayPool<char>.Shared.Return(rentedChars);
            if (rentedBytes is not null) ArrayPool<byte>.Shared.Return(rentedBytes);
        }
    }

    /// <summary>At least the length of the text: every string, a separator after each, and room for the two numbers.</summary>
    private static int MaxLength(TaskSpec spec)
    {
        var length = spec.Id.Length + spec.Action.Fingerprint.Length + (spec.Group?.Length ?? 0) + (spec.Version?.Length ?? 0)
                     + ListLength(spec.Needs) + ListLength(spec.Provides) + ListLength(spec.Claims) + ListLength(spec.Uses)
                     + ListLength(spec.Artifacts) + "\nartifacts:".Length;
        // Nine line breaks, and a long and an int in any culture's digits and sign.
        return length + 9 + 64;
    }

    private static int ListLength(IReadOnlyList<string> list)
    {
        var length = list.Count;
        for (var i = 0; i < list.Count; i++) length += list[i]?.Length ?? 0;
        return length;
    }

    /// <summary>Appends into a buffer sized beforehand by <see cref="MaxLength"/>, formatting as StringBuilder does.</summary>
    private ref struct TextBuffer(Span<char> buffer)
    {
        private readonly Span<char> _buffer = buffer;
        private int _length;

        public readonly ReadOnlySpan<char> Written => _buffer[.._length];

        public void Append(char value) => _buffer[_length++] = value;

        public void Append(string? value)
        {
            if (value is null) return;
            value.CopyTo(_buffer[_length..]);
            _length += value.Length;
        }

        public void AppendNumber<T>(T value) where T : ISpanFormattable
        {
            // No format and no provider: the current culture, as StringBuilder.Append formats numbers.
            if (!value.TryFormat(_buffer[_length..], out var written, default, null))
                throw new InvalidOperationException("A task's definition outgrew the buffer sized for it.");
            _length += written;
        }

        public void AppendJoin(char separator, IReadOnlyList<string> values)
        {
            for (var i = 0; i < values.Count; i++)
            {
                if (i > 0) Append(separator);
                Append(values[i]);
            }
        }
    }
}
