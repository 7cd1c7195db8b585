using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Google.Protobuf;
using Skein.Cluster.Protocol;

namespace Skein.Cluster.Services.Transport;

/// <summary>
/// Reads the frames a node receives on a call stream as the generated parser does, except that the strings every
/// request repeats — <c>service</c>, <c>method</c>, <c>content_type</c> — come from a small cache of the strings seen
/// before, instead of being decoded anew for every request (they were a fifth of what a node allocated per call).
/// </summary>
/// <remarks>
/// Only the common shape is read here: a frame of envelopes whose fields are all known, each with its declared wire
/// type. Anything else — an unknown field (kept by the generated parser), an error (which a client never sends), a
/// frame over 256 KiB split across buffers, bytes that do not parse — goes to the generated parser, which decides.
/// </remarks>
internal static class RequestFrameParser
{
    /// <summary>The field numbers of <see cref="Envelope"/> read here; a field added to the proto is read by the fallback.</summary>
    internal static readonly IReadOnlySet<int> FieldsRead = new HashSet<int> { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15 };

    // A frame split across the transport's buffers (most frames of a few KiB) is copied into one first, up to this size.
    private const int MaxCopied = 256 * 1024;

    public static Frame Parse(ReadOnlySequence<byte> payload)
    {
        if (payload.IsSingleSegment)
        {
            if (TryParse(payload.FirstSpan, out var frame)) return frame;
        }
        else if (payload.Length <= MaxCopied)
        {
            // Nothing read keeps a reference into the buffer: payloads and strings are copied out of it.
            var buffer = ArrayPool<byte>.Shared.Rent((int)payload.Length);
            try
            {
                payload.CopyTo(buffer);
                if (TryParse(buffer.AsSpan(0, (int)payload.Length), out var frame)) return frame;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        return Frame.Parser.ParseFrom(payload);
    }

    internal static bool TryParse(ReadOnlySpan<byte> data, out Frame frame)
    {
        frame = new Frame();
        var at = 0;
        while (at < data.Length)
        {
            // Field 1 (envelopes), length-delimited: tag 10.
            if (data[at] != 10) return false;
            at++;
            if (!TryReadVarint(data, ref at, out var length) || length > (ulong)(data.Length - at)) return false;
            if (!TryParseEnvelope(data.Slice(at, (int)length), out var envelope)) return false;
            frame.Envelopes.Add(envelope);
            at += (int)length;
        }
        return true;
    }

    private static bool TryParseEnvelope(ReadOnlySpan<byte> data, out Envelope envelope)
    {
        envelope = new Envelope();
        var at = 0;
        while (at < data.Length)
        {
            if (!TryReadVarint(data, ref at, out var tag) || tag > uint.MaxValue) return false;
            var field = (int)(tag >> 3);
            var wireType = (int)(tag & 7);
            if (wireType == 2)
            {
                if (!TryReadVarint(data, ref at, out var length) || length > (ulong)(data.Length - at)) return false;
                var bytes = data.Slice(at, (int)length);
                at += (int)length;
                switch (field)
                {
                    case 5: envelope.Sender = Decode(bytes); break;
                    case 6: envelope.Service = Strings.Get(bytes); break;
                    case 7: envelope.Method = Strings.Get(bytes); break;
                    case 10: envelope.TraceParent = Decode(bytes); break;
                    case 11: envelope.ContentType = Strings.Get(bytes); break;
                    case 12: envelope.Payload = ByteString.CopyFrom(bytes); break;
                    default: return false;
                }
                continue;
            }
            if (wireType != 0 || !TryReadVarint(data, ref at, out var value)) return false;
            switch (field)
            {
                case 1: envelope.Id = value; break;
                case 2: envelope.Kind = (EnvelopeKind)(int)value; break;
                case 3: envelope.ConversationId = value; break;
                case 4: envelope.Sequence = value; break;
                case 8: envelope.Status = (EnvelopeStatus)(int)value; break;
                case 9: envelope.TimeoutMs = (uint)value; break;
                case 13: envelope.Instance = value; break;
                case 15: envelope.StreamWindow = (uint)value; break;
                default: return false;
            }
        }
        return true;
    }

    // As the generated parser decodes: invalid UTF-8 becomes replacement characters.
    private static string Decode(ReadOnlySpan<byte> bytes) => bytes.IsEmpty ? "" : Encoding.UTF8.GetString(bytes);

    private static bool TryReadVarint(ReadOnlySpan<byte> data, ref int at, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64 && at < data.Length; shift += 7)
        {
            var b = data[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return true;
        }
        return false;
    }

    /// <summary>
    /// Strings seen before, by their UTF-8 bytes: a fixed table, so a client sending ever new names costs a miss each,
    /// never memory. Entries are immutable and replaced whole, so readers need no lock.
    /// </summary>
    internal static class Strings
    {
        private const int Slots = 256;
        private const int MaxBytes = 64;
        private static readonly Entry?[] s_table = new Entry?[Slots];

        public static string Get(ReadOnlySpan<byte> bytes)
        {
            if (bytes.IsEmpty) return "";
            if (bytes.Length > MaxBytes) return Decode(bytes);
            var slot = (int)(Hash(bytes) & (Slots - 1));
            if (Volatile.Read(ref s_table[slot]) is { } entry && bytes.SequenceEqual(entry.Utf8)) return entry.Value;
            var value = Decode(bytes);
            Volatile.Write(ref s_table[slot], new Entry(bytes.ToArray(), value));
            return value;
        }

        private static uint Hash(ReadOnlySpan<byte> bytes)
        {
            // FNV-1a: the names are short, and a collision only costs a decode.
            var hash = 2166136261u;
            foreach (var b in bytes) hash = (hash ^ b) * 16777619u;
            return hash ^ (uint)bytes.Length;
        }

        private sealed record Entry(byte[] Utf8, string Value);
    }
}
