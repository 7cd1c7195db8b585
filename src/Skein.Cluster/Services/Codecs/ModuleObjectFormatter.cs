using System.Reflection;
using System.Runtime.Serialization;
using MessagePack;
using MessagePack.Formatters;

namespace Skein.Cluster.Services.Codecs;

/// <summary>
/// A class or struct of an unloadable module, by reflection, in the contractless format: a map from each public
/// member's name to its value. Read back through the constructor whose parameters are all members (a record's), or
/// the parameterless one and the members' setters. Unknown keys are skipped, as the contractless resolver does.
/// </summary>
internal sealed class ModuleObjectFormatter<T> : IMessagePackFormatter<T>
{
    private static readonly Member[] Members = FindMembers();
    private static readonly Dictionary<string, int> ByName = Members.Select((m, i) => (m.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
    private static readonly (ConstructorInfo? Constructor, int[] Arguments) Creation = FindConstructor();

    public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }
        writer.WriteMapHeader(Members.Length);
        foreach (var member in Members)
        {
            writer.Write(member.Name);
            member.Write(ref writer, member.Get(value), options);
        }
    }

    public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil()) return default!;
        options.Security.DepthStep(ref reader);
        try
        {
            var values = new object?[Members.Length];
            var seen = new bool[Members.Length];
            var count = reader.ReadMapHeader();
            for (var i = 0; i < count; i++)
            {
                var key = reader.ReadString();
                if (key is not null && ByName.TryGetValue(key, out var index))
                {
                    values[index] = Members[index].Read(ref reader, options);
                    seen[index] = true;
                }
                else
                {
                    reader.Skip();
                }
            }
            return Create(values, seen);
        }
        finally
        {
            reader.Depth--;
        }
    }

    private static T Create(object?[] values, bool[] seen)
    {
        var (constructor, arguments) = Creation;
        object instance;
        if (constructor is null)
        {
            instance = typeof(T).IsValueType
                ? Activator.CreateInstance(typeof(T))!
                : throw new MessagePackSerializationException($"{typeof(T).FullName} has no public constructor MessagePack can use");
        }
        else
        {
            var passed = new object?[arguments.Length];
            for (var i = 0; i < arguments.Length; i++)
                passed[i] = seen[arguments[i]] ? values[arguments[i]] : DefaultOf(Members[arguments[i]].Type);
            instance = constructor.Invoke(passed);
        }
        for (var i = 0; i < Members.Length; i++)
        {
            if (seen[i] && Array.IndexOf(arguments, i) < 0) Members[i].Set?.Invoke(instance, values[i]);
        }
        return (T)instance;
    }

    private static object? DefaultOf(Type type) => type.IsValueType ? Activator.CreateInstance(type) : null;

    private static Member[] FindMembers()
    {
        var members = new List<Member>();
        foreach (var property in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.GetMethod is not { IsPublic: true } || Ignored(property)) continue;
            var set = property.SetMethod is { IsPublic: true } ? (Action<object, object?>)property.SetValue : null;
            members.Add(new Member(property.Name, property.PropertyType, property.GetValue, set));
        }
        foreach (var field in typeof(T).GetFields(BindingFlags.Public | BindingFlags.Instance))
        {
            if (Ignored(field)) continue;
            members.Add(new Member(field.Name, field.FieldType, field.GetValue, field.IsInitOnly ? null : field.SetValue));
        }
        return [.. members];
    }

    private static bool Ignored(MemberInfo member) =>
        member.IsDefined(typeof(IgnoreMemberAttribute)) || member.IsDefined(typeof(IgnoreDataMemberAttribute));

    // The public constructor with the most parameters that all name members (a record's primary constructor), else none.
    private static (ConstructorInfo?, int[]) FindConstructor()
    {
        var byName = Members.Select((m, i) => (m.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.OrdinalIgnoreCase);
        foreach (var constructor in typeof(T).GetConstructors().OrderByDescending(c => c.GetParameters().Length))
        {
            var parameters = constructor.GetParameters();
            var arguments = new int[parameters.Length];
            var usable = true;
            for (var i = 0; i < parameters.Length && usable; i++)
            {
                usable = parameters[i].Name is { } name && byName.TryGetValue(name, out arguments[i]) && Members[arguments[i]].Type == parameters[i].ParameterType;
            }
            if (usable) return (constructor, arguments);
        }
        return (null, []);
    }

    private sealed class Member(string name, Type type, Func<object, object?> get, Action<object, object?>? set)
    {
        private readonly MessagePackValues.Writer _write = MessagePackValues.WriterFor(type);
        private readonly MessagePackValues.Reader _read = MessagePackValues.ReaderFor(type);

        public string Name => name;

        public Type Type => type;

        public Func<object, object?> Get => get;

        public Action<object, object?>? Set => set;

        public void Write(ref MessagePackWriter writer, object? value, MessagePackSerializerOptions options) => _write(ref writer, value, options);

        public object? Read(ref MessagePackReader reader, MessagePackSerializerOptions options) => _read(ref reader, options);
    }
}
