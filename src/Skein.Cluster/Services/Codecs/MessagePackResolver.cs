using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;

namespace Skein.Cluster.Services.Codecs;

/// <summary>
/// The contractless standard resolver, except for the types of unloadable modules: MessagePack emits their formatters
/// into one process-wide dynamic assembly, which would keep every module it has met loaded for good. Those types get
/// reflection formatters instead (<see cref="ModuleObjectFormatter{T}"/>), writing the same maps of member names.
/// </summary>
internal sealed class MessagePackResolver : IFormatterResolver
{
    public static readonly MessagePackResolver Instance = new();

    private MessagePackResolver()
    {
    }

    public IMessagePackFormatter<T>? GetFormatter<T>() => Cache<T>.Formatter;

    /// <summary>Whether <paramref name="type"/> is declared by an unloadable module (not merely built over one, as a List of it is).</summary>
    public static bool IsModuleType(Type type) => type.IsCollectible && !type.IsArray && type.Assembly.IsCollectible;

    // A generic static class, not a dictionary keyed by type: its field for a module's type belongs to that module and
    // goes with it.
    private static class Cache<T>
    {
        public static readonly IMessagePackFormatter<T>? Formatter = Create();

        private static IMessagePackFormatter<T>? Create()
        {
            var type = typeof(T);
            if (!IsModuleType(type)) return ContractlessStandardResolver.Instance.GetFormatter<T>();
            if (type.IsEnum) return new ModuleEnumFormatter<T>();
            if (type.IsInterface || type.IsAbstract || type.IsPointer || typeof(Delegate).IsAssignableFrom(type)) return null;
            return new ModuleObjectFormatter<T>();
        }
    }
}
