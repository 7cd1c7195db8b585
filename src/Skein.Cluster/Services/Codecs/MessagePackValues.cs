using System.Reflection;
using System.Runtime.CompilerServices;
using MessagePack;

namespace Skein.Cluster.Services.Codecs;

/// <summary>
/// Writes and reads a value whose type is known only at run time, through MessagePack's generic API. Its non-generic
/// API caches a compiled method per type in a process-wide table, which would keep an unloadable module's types alive;
/// these delegates are held weakly by their type instead.
/// </summary>
internal static class MessagePackValues
{
    public delegate void Writer(ref MessagePackWriter writer, object? value, MessagePackSerializerOptions options);

    public delegate object? Reader(ref MessagePackReader reader, MessagePackSerializerOptions options);

    private static readonly ConditionalWeakTable<Type, Writer> Writers = new();
    private static readonly ConditionalWeakTable<Type, Reader> Readers = new();

    public static Writer WriterFor(Type type) => Writers.GetValue(type, static t => Make<Writer>(nameof(Write), t));

    public static Reader ReaderFor(Type type) => Readers.GetValue(type, static t => Make<Reader>(nameof(Read), t));

    private static TDelegate Make<TDelegate>(string name, Type type) where TDelegate : Delegate =>
        typeof(MessagePackValues).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(type).CreateDelegate<TDelegate>();

    private static void Write<T>(ref MessagePackWriter writer, object? value, MessagePackSerializerOptions options) =>
        MessagePackSerializer.Serialize(ref writer, (T)value!, options);

    private static object? Read<T>(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        MessagePackSerializer.Deserialize<T>(ref reader, options);
}
