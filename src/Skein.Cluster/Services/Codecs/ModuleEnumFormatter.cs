using MessagePack;
using MessagePack.Formatters;

namespace Skein.Cluster.Services.Codecs;

/// <summary>An enum of an unloadable module, as its underlying integer (as MessagePack's emitted enum formatters write it).</summary>
internal sealed class ModuleEnumFormatter<T> : IMessagePackFormatter<T>
{
    private static readonly bool Unsigned = Enum.GetUnderlyingType(typeof(T)) == typeof(ulong);

    public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options)
    {
        if (Unsigned) writer.Write(Convert.ToUInt64(value, System.Globalization.CultureInfo.InvariantCulture));
        else writer.Write(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
    }

    public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        (T)(Unsigned ? Enum.ToObject(typeof(T), reader.ReadUInt64()) : Enum.ToObject(typeof(T), reader.ReadInt64()));
}
