using System.Collections.Immutable;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Skein.Cluster.Tests.Architecture;

/// <summary>
/// Which namespaces of one built assembly use which others, read from its metadata: base types and interfaces, the
/// signatures of fields, methods and properties, and every type, method and field a method body names (its IL and
/// its locals). A compiler-generated type (a lambda's closure, an async state machine) counts for the namespace of
/// the type it is nested in. Only the assembly's own types count, and not the global namespace or the attributes and
/// helpers compilers and generators emit under System and Microsoft.CodeAnalysis.
/// </summary>
internal sealed class NamespaceGraph
{
    private static readonly IReadOnlyDictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    private readonly MetadataReader _reader;
    private readonly TypeCollector _types = new();
    private readonly Dictionary<string, Dictionary<string, string>> _edges = new(StringComparer.Ordinal);

    private NamespaceGraph(MetadataReader reader) => _reader = reader;

    /// <summary>Namespace → the namespaces it uses, each with one example ("Type uses Type") to show why.</summary>
    public IReadOnlyDictionary<string, Dictionary<string, string>> Edges => _edges;

    public static NamespaceGraph Read(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var graph = new NamespaceGraph(pe.GetMetadataReader());
        graph.Collect(pe);
        return graph;
    }

    private void Collect(PEReader pe)
    {
        foreach (var handle in _reader.TypeDefinitions)
        {
            var type = _reader.GetTypeDefinition(handle);
            var from = handle;
            if (!type.BaseType.IsNil) Use(from, Types(type.BaseType));
            foreach (var implementation in type.GetInterfaceImplementations())
                Use(from, Types(_reader.GetInterfaceImplementation(implementation).Interface));
            foreach (var field in type.GetFields())
                Use(from, _reader.GetFieldDefinition(field).DecodeSignature(_types, null));
            foreach (var property in type.GetProperties())
                Use(from, Flatten(_reader.GetPropertyDefinition(property).DecodeSignature(_types, null)));
            foreach (var parameter in type.GetGenericParameters()) Constraints(from, parameter);
            foreach (var methodHandle in type.GetMethods())
            {
                var method = _reader.GetMethodDefinition(methodHandle);
                Use(from, Flatten(method.DecodeSignature(_types, null)));
                foreach (var parameter in method.GetGenericParameters()) Constraints(from, parameter);
                if (method.RelativeVirtualAddress != 0) Body(from, pe.GetMethodBody(method.RelativeVirtualAddress));
            }
        }
    }

    private void Constraints(TypeDefinitionHandle from, GenericParameterHandle handle)
    {
        foreach (var constraint in _reader.GetGenericParameter(handle).GetConstraints())
            Use(from, Types(_reader.GetGenericParameterConstraint(constraint).Type));
    }

    private void Body(TypeDefinitionHandle from, MethodBodyBlock body)
    {
        if (!body.LocalSignature.IsNil)
            Use(from, _reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(_types, null).SelectMany(t => t));
        var il = body.GetILReader();
        while (il.RemainingBytes > 0)
        {
            short value = il.ReadByte();
            if (value == 0xFE) value = unchecked((short)(0xFE00 | il.ReadByte()));
            var opCode = OpCodesByValue[value];
            switch (opCode.OperandType)
            {
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    il.Offset += 1;
                    break;
                case OperandType.InlineVar:
                    il.Offset += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    il.Offset += 8;
                    break;
                case OperandType.InlineSwitch:
                    var targets = il.ReadInt32(); // read first: "il.Offset += 4 * il.ReadInt32()" would take the offset before the read
                    il.Offset += 4 * targets;
                    break;
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                    Use(from, Types(MetadataTokens.EntityHandle(il.ReadInt32())));
                    break;
                default: // InlineI, InlineBrTarget, InlineSig, InlineString, ShortInlineR
                    il.Offset += 4;
                    break;
            }
        }
    }

    /// <summary>The assembly's own types an entity names: a type, a method or field (its type and signature), a member reference.</summary>
    private IEnumerable<TypeDefinitionHandle> Types(EntityHandle handle)
    {
        switch (handle.Kind)
        {
            case HandleKind.TypeDefinition:
                return [(TypeDefinitionHandle)handle];
            case HandleKind.TypeSpecification:
                return _reader.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(_types, null);
            case HandleKind.MethodDefinition:
                var method = _reader.GetMethodDefinition((MethodDefinitionHandle)handle);
                return [method.GetDeclaringType(), .. Flatten(method.DecodeSignature(_types, null))];
            case HandleKind.FieldDefinition:
                var field = _reader.GetFieldDefinition((FieldDefinitionHandle)handle);
                return [field.GetDeclaringType(), .. field.DecodeSignature(_types, null)];
            case HandleKind.MemberReference:
                var member = _reader.GetMemberReference((MemberReferenceHandle)handle);
                var parent = member.Parent.Kind is HandleKind.TypeDefinition or HandleKind.TypeSpecification ? Types(member.Parent) : [];
                var signature = member.GetKind() == MemberReferenceKind.Method
                    ? Flatten(member.DecodeMethodSignature(_types, null))
                    : member.DecodeFieldSignature(_types, null);
                return [.. parent, .. signature];
            case HandleKind.MethodSpecification:
                var specification = _reader.GetMethodSpecification((MethodSpecificationHandle)handle);
                return [.. Types(specification.Method), .. specification.DecodeSignature(_types, null).SelectMany(t => t)];
            default:
                return [];
        }
    }

    private static IEnumerable<TypeDefinitionHandle> Flatten(MethodSignature<ImmutableArray<TypeDefinitionHandle>> signature) =>
        signature.ReturnType.Concat(signature.ParameterTypes.SelectMany(p => p));

    private void Use(TypeDefinitionHandle from, IEnumerable<TypeDefinitionHandle> used)
    {
        var source = NamespaceOf(from);
        if (!InScope(source)) return;
        foreach (var to in used)
        {
            var target = NamespaceOf(to);
            if (target == source || !InScope(target)) continue;
            if (!_edges.TryGetValue(source, out var targets)) _edges[source] = targets = new(StringComparer.Ordinal);
            targets.TryAdd(target, $"{Name(from)} uses {Name(to)}");
        }
    }

    private static bool InScope(string ns) =>
        ns.Length > 0 && ns != "System" && !ns.StartsWith("System.", StringComparison.Ordinal) && !ns.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal);

    private string NamespaceOf(TypeDefinitionHandle handle)
    {
        var type = _reader.GetTypeDefinition(handle);
        var declaring = type.GetDeclaringType();
        return declaring.IsNil ? _reader.GetString(type.Namespace) : NamespaceOf(declaring);
    }

    private string Name(TypeDefinitionHandle handle)
    {
        var type = _reader.GetTypeDefinition(handle);
        var declaring = type.GetDeclaringType();
        // A generated type is shown as the type it belongs to.
        if (!declaring.IsNil) return _reader.GetString(type.Name).StartsWith('<') ? Name(declaring) : $"{Name(declaring)}.{_reader.GetString(type.Name)}";
        var ns = _reader.GetString(type.Namespace);
        return ns.Length == 0 ? _reader.GetString(type.Name) : $"{ns}.{_reader.GetString(type.Name)}";
    }

    /// <summary>Collects the assembly's own type definitions a signature names, through arrays, generics, pointers and modifiers.</summary>
    private sealed class TypeCollector : ISignatureTypeProvider<ImmutableArray<TypeDefinitionHandle>, object?>
    {
        public ImmutableArray<TypeDefinitionHandle> GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => [handle];

        public ImmutableArray<TypeDefinitionHandle> GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => [];

        public ImmutableArray<TypeDefinitionHandle> GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

        public ImmutableArray<TypeDefinitionHandle> GetPrimitiveType(PrimitiveTypeCode typeCode) => [];

        public ImmutableArray<TypeDefinitionHandle> GetGenericInstantiation(ImmutableArray<TypeDefinitionHandle> genericType, ImmutableArray<ImmutableArray<TypeDefinitionHandle>> typeArguments) =>
            [.. genericType, .. typeArguments.SelectMany(t => t)];

        public ImmutableArray<TypeDefinitionHandle> GetGenericMethodParameter(object? genericContext, int index) => [];

        public ImmutableArray<TypeDefinitionHandle> GetGenericTypeParameter(object? genericContext, int index) => [];

        public ImmutableArray<TypeDefinitionHandle> GetArrayType(ImmutableArray<TypeDefinitionHandle> elementType, ArrayShape shape) => elementType;

        public ImmutableArray<TypeDefinitionHandle> GetSZArrayType(ImmutableArray<TypeDefinitionHandle> elementType) => elementType;

        public ImmutableArray<TypeDefinitionHandle> GetByReferenceType(ImmutableArray<TypeDefinitionHandle> elementType) => elementType;

        public ImmutableArray<TypeDefinitionHandle> GetPointerType(ImmutableArray<TypeDefinitionHandle> elementType) => elementType;

        public ImmutableArray<TypeDefinitionHandle> GetPinnedType(ImmutableArray<TypeDefinitionHandle> elementType) => elementType;

        public ImmutableArray<TypeDefinitionHandle> GetModifiedType(ImmutableArray<TypeDefinitionHandle> modifier, ImmutableArray<TypeDefinitionHandle> unmodifiedType, bool isRequired) =>
            [.. modifier, .. unmodifiedType];

        public ImmutableArray<TypeDefinitionHandle> GetFunctionPointerType(MethodSignature<ImmutableArray<TypeDefinitionHandle>> signature) => [.. Flatten(signature)];
    }
}
