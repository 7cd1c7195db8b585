using System.Globalization;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Text;

namespace Skein.Bench.Modules.Workload;

/// <summary>
/// Copies of one assembly module that a node can host side by side. A node hosts each service name once, so the same
/// file loaded under twenty names would be refused from the second on ("service 'counter' is hosted twice"); each copy
/// therefore gets its services renamed in place — the last two characters of every <c>[Service("name")]</c> replaced
/// by the copy's number, so <c>counter</c> becomes <c>count07</c>. Same length, so nothing else in the file moves:
/// the copies are the same code and metadata as the original, byte for byte, but for those characters.
/// </summary>
internal static class ModuleCopies
{
    private const string ServiceAttribute = "Skein.ServiceAttribute";

    /// <summary>The service names of copy <paramref name="index"/> (0–99), keyed by the original's.</summary>
    public static string Rename(string service, int index) =>
        service.Length >= 2 && index is >= 0 and < 100
            ? service[..^2] + index.ToString("00", CultureInfo.InvariantCulture)
            : throw new ArgumentOutOfRangeException(nameof(index), $"cannot number service '{service}' as copy {index}");

    /// <summary>Writes copy <paramref name="index"/> of <paramref name="assembly"/> to <paramref name="destination"/>; returns its service names.</summary>
    public static IReadOnlyList<string> Write(string assembly, string destination, int index)
    {
        var bytes = File.ReadAllBytes(assembly);
        var names = new List<string>();
        foreach (var (offset, name) in ServiceNames(bytes))
        {
            var renamed = Rename(name, index);
            Encoding.UTF8.GetBytes(renamed).CopyTo(bytes.AsSpan(offset));
            names.Add(renamed);
        }
        if (names.Count == 0) throw new InvalidOperationException($"{assembly} has no [Service] attribute to rename");
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        File.WriteAllBytes(destination, bytes);
        return names;
    }

    /// <summary>Each [Service] attribute's name and where its UTF-8 bytes sit in the file.</summary>
    private static List<(int Offset, string Name)> ServiceNames(byte[] file)
    {
        using var pe = new PEReader(new MemoryStream(file, writable: false));
        var metadata = pe.GetMetadataReader();
        var blobHeap = pe.PEHeaders.MetadataStartOffset + metadata.GetHeapMetadataOffset(HeapIndex.Blob);
        var found = new List<(int, string)>();
        foreach (var handle in metadata.CustomAttributes)
        {
            var attribute = metadata.GetCustomAttribute(handle);
            if (AttributeType(metadata, attribute) != ServiceAttribute) continue;
            var value = metadata.GetBlobBytes(attribute.Value);
            // A custom attribute's value: the prolog 0x0001, then the constructor's one string argument as a
            // compressed length and its UTF-8 bytes (ECMA-335 II.23.3). A service name is shorter than 128 bytes, so
            // its length takes one byte; the blob's own length prefix in the heap takes one byte below 128 bytes too.
            if (value.Length < 4 || value[0] != 1 || value[1] != 0 || value[2] >= 0x80 || value.Length < 3 + value[2] || value.Length >= 0x80)
                throw new InvalidOperationException($"unexpected [Service] attribute value of {value.Length} bytes");
            var name = Encoding.UTF8.GetString(value, 3, value[2]);
            var offset = blobHeap + MetadataTokens.GetHeapOffset(attribute.Value) + 1 + 3;
            // The offset is computed from the metadata's layout; the bytes there must be the name, or nothing is written.
            if (!file.AsSpan(offset, value[2]).SequenceEqual(value.AsSpan(3, value[2])))
                throw new InvalidOperationException($"service name '{name}' is not where the metadata says");
            found.Add((offset, name));
        }
        return found;
    }

    private static string? AttributeType(MetadataReader metadata, CustomAttribute attribute)
    {
        EntityHandle type;
        if (attribute.Constructor.Kind == HandleKind.MemberReference)
            type = metadata.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent;
        else if (attribute.Constructor.Kind == HandleKind.MethodDefinition)
            type = metadata.GetMethodDefinition((MethodDefinitionHandle)attribute.Constructor).GetDeclaringType();
        else
            return null;
        switch (type.Kind)
        {
            case HandleKind.TypeReference:
                var reference = metadata.GetTypeReference((TypeReferenceHandle)type);
                return metadata.GetString(reference.Namespace) + "." + metadata.GetString(reference.Name);
            case HandleKind.TypeDefinition:
                var definition = metadata.GetTypeDefinition((TypeDefinitionHandle)type);
                return metadata.GetString(definition.Namespace) + "." + metadata.GetString(definition.Name);
            default:
                return null;
        }
    }
}
