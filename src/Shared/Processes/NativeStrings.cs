using System.Runtime.InteropServices;
using System.Text;

namespace Skein.Shared.Processes;

/// <summary>NUL-terminated UTF-8 copies of strings, and NULL-terminated arrays of them, freed together.</summary>
internal sealed unsafe class NativeStrings : IDisposable
{
    private readonly List<nint> _blocks = [];

    public byte* Add(string text)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        var bytes = (byte*)NativeMemory.Alloc((nuint)length + 1);
        _blocks.Add((nint)bytes);
        Encoding.UTF8.GetBytes(text, new Span<byte>(bytes, length));
        bytes[length] = 0;
        return bytes;
    }

    public byte** Array(IReadOnlyList<string> texts)
    {
        var array = (byte**)NativeMemory.Alloc((nuint)(texts.Count + 1), (nuint)sizeof(byte*));
        _blocks.Add((nint)array);
        for (var i = 0; i < texts.Count; i++) array[i] = Add(texts[i]);
        array[texts.Count] = null;
        return array;
    }

    public void Dispose()
    {
        foreach (var block in _blocks) NativeMemory.Free((void*)block);
    }
}
