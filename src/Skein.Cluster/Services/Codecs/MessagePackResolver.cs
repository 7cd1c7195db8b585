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

    // By name: the module may carry its own copy of MessagePack's attributes.
    private static bool HasMessagePackLayout(Type type) =>
        type.CustomAttributes.Any(a => a.AttributeType.FullName == "MessagePack.MessagePackObjectAttribute");

    // A generic static class, not a dictionary keyed by type: its field for a module's type belongs to that module and
    // goes with it.
    private static class Cache<T>
    {
        public static readonly IMessagePackFormatter<T>? Formatter = Create();

        private static IMessagePackFormatter<T>? Create()
        {
            var type = typeof(T);
            // A type laid out with MessagePack's own attributes keeps that layout, at the price of staying loaded.
            if (!IsModuleType(type) || HasMessagePackLayout(type)) return ContractlessStandardResolver.Instance.GetFormatter<T>();
            if (type.IsEnum) return new ModuleEnumFormatter<T>();
            if (type.IsInterface || type.IsAbstract || type.IsPointer || typeof(Delegate).IsAssignableFrom(type)) return null;
            return new ModuleObjectFormatter<T>();
        }
    }
}
