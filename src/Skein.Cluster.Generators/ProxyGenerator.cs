using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Skein.Cluster.Generators;

/// <summary>
/// For each service contract declared in the project (an interface marked <c>[Service("name")]</c>), writes a proxy class
/// whose methods hand their arguments to Skein in a struct — no argument array, no reflection — and registers it from a
/// module initializer. Only when the project references Skein.Cluster (the proxy's base class is there). A contract the
/// generator cannot serve exactly as the runtime would (see <see cref="ContractReader"/>) gets nothing: the reflection
/// proxy serves it, and reports what is wrong with it as it always has.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ProxyGenerator : IIncrementalGenerator
{
    internal const string ServiceAttribute = "Skein.ServiceAttribute";
    internal const string ProxyBase = "Skein.Cluster.Services.Client.GeneratedServiceProxy";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var contracts = context.SyntaxProvider.ForAttributeWithMetadataName(
                ServiceAttribute,
                static (node, _) => node is InterfaceDeclarationSyntax,
                static (attributed, cancellationToken) => Generate(attributed, cancellationToken))
            .Where(static source => source is not null);
        var referencesCluster = context.CompilationProvider.Select(static (compilation, _) => compilation.GetTypeByMetadataName(ProxyBase) is not null);
        context.RegisterSourceOutput(contracts.Combine(referencesCluster), static (output, pair) =>
        {
            if (!pair.Right || pair.Left is not { } source) return;
            output.AddSource(source.HintName, source.Text);
        });
    }

    private static GeneratedSource? Generate(GeneratorAttributeSyntaxContext attributed, CancellationToken cancellationToken)
    {
        if (attributed.TargetSymbol is not INamedTypeSymbol contract) return null;
        var model = ContractReader.Read(contract, attributed.SemanticModel.Compilation, cancellationToken);
        return model is null ? null : new GeneratedSource(model.Identifier + ".SkeinProxy.g.cs", ProxyWriter.Write(model));
    }
}

/// <summary>One generated file: equal by value, so that an unchanged contract costs the compiler nothing more.</summary>
internal sealed class GeneratedSource(string hintName, string text) : System.IEquatable<GeneratedSource>
{
    public string HintName { get; } = hintName;

    public string Text { get; } = text;

    public bool Equals(GeneratedSource? other) => other is not null && other.HintName == HintName && other.Text == Text;

    public override bool Equals(object? obj) => Equals(obj as GeneratedSource);

    public override int GetHashCode() => HintName.GetHashCode() ^ Text.GetHashCode();
}

/// <summary>What the proxy of one contract needs: the contract's name in C#, and each method to implement.</summary>
internal sealed class ContractModel(string identifier, string typeName, IReadOnlyList<MethodModel> methods)
{
    /// <summary>The contract's full name made into an identifier: names the generated types and file.</summary>
    public string Identifier { get; } = identifier;

    /// <summary>The contract as C# names it from anywhere: <c>global::Ns.IEcho</c>.</summary>
    public string TypeName { get; } = typeName;

    public IReadOnlyList<MethodModel> Methods { get; } = methods;
}

internal enum Shape
{
    Task,
    TaskOfT,
    ValueTask,
    ValueTaskOfT,
    AsyncEnumerable,
}

internal sealed class MethodModel(string declaringInterface, string name, string wireName, string returnType, Shape shape, string? resultType,
    IReadOnlyList<ParameterModel> parameters)
{
    /// <summary>The interface that declares it (the contract or one it extends), for the explicit implementation.</summary>
    public string DeclaringInterface { get; } = declaringInterface;

    public string Name { get; } = name;

    public string WireName { get; } = wireName;

    public string ReturnType { get; } = returnType;

    public Shape Shape { get; } = shape;

    public string? ResultType { get; } = resultType;

    public IReadOnlyList<ParameterModel> Parameters { get; } = parameters;
}

internal sealed class ParameterModel(string name, string type, bool isCancellationToken)
{
    public string Name { get; } = name;

    public string Type { get; } = type;

    public bool IsCancellationToken { get; } = isCancellationToken;
}

/// <summary>
/// Reads a contract as the runtime does (ServiceContract, ContractMethod in Skein.Cluster), or gives up (null) on
/// anything it would refuse or that a proxy here could not implement: generic contracts or methods, properties, events,
/// ref/out/in parameters, two tokens, delegate, task or pointer types, other return types, two methods with one wire
/// name, or a type not visible from the whole assembly (a private nested interface, say).
/// </summary>
internal static class ContractReader
{
    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    public static ContractModel? Read(INamedTypeSymbol contract, Compilation compilation, CancellationToken cancellationToken)
    {
        if (contract.TypeKind != TypeKind.Interface || contract.IsGenericType || !IsVisible(contract)) return null;
        var methods = new List<MethodModel>();
        var wireNames = new HashSet<string>();
        foreach (var @interface in new[] { contract }.Concat(contract.AllInterfaces))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (@interface.ToDisplayString() == "System.IAsyncDisposable") continue; // releases the proxy; never sent
            if (!IsVisible(@interface)) return null;
            foreach (var member in @interface.GetMembers())
            {
                switch (member)
                {
                    case IPropertySymbol or IEventSymbol when !member.IsStatic:
                        return null;
                    case IMethodSymbol { MethodKind: MethodKind.Ordinary } method:
                        if (method.IsStatic)
                        {
                            if (method.IsAbstract || method.IsVirtual) return null;
                            continue; // static members stay local
                        }
                        if (!method.IsAbstract) continue; // default implementations stay local
                        var model = ReadMethod(@interface, method);
                        if (model is null || !wireNames.Add(model.WireName)) return null;
                        methods.Add(model);
                        break;
                }
            }
        }
        _ = compilation;
        return new ContractModel(Identifier(contract), contract.ToDisplayString(TypeFormat), methods);
    }

    private static MethodModel? ReadMethod(INamedTypeSymbol declaring, IMethodSymbol method)
    {
        if (method.IsGenericMethod || method.ReturnsByRef || method.ReturnsByRefReadonly) return null;
        if (ShapeOf(method.ReturnType, out var result) is not { } shape) return null;
        if (result is not null && (IsUnsupported(result) || !IsVisible(result))) return null;
        if (!IsVisible(method.ReturnType)) return null;
        var parameters = new List<ParameterModel>();
        var tokens = 0;
        foreach (var parameter in method.Parameters)
        {
            if (parameter.RefKind != RefKind.None) return null;
            var isToken = parameter.Type.ToDisplayString() == "System.Threading.CancellationToken";
            if (isToken && ++tokens > 1) return null;
            if (!isToken && (IsUnsupported(parameter.Type) || !IsVisible(parameter.Type))) return null;
            parameters.Add(new ParameterModel(parameter.Name, parameter.Type.ToDisplayString(TypeFormat), isToken));
        }
        var name = method.Name;
        var wireName = name.Length > 5 && name.EndsWith("Async", System.StringComparison.Ordinal) ? name.Substring(0, name.Length - 5) : name;
        return new MethodModel(declaring.ToDisplayString(TypeFormat), name, wireName, method.ReturnType.ToDisplayString(TypeFormat), shape,
            result?.ToDisplayString(TypeFormat), parameters);
    }

    private static Shape? ShapeOf(ITypeSymbol type, out ITypeSymbol? result)
    {
        result = null;
        if (type is not INamedTypeSymbol named) return null;
        switch (named.OriginalDefinition.ToDisplayString())
        {
            case "System.Threading.Tasks.Task":
                return Shape.Task;
            case "System.Threading.Tasks.ValueTask":
                return Shape.ValueTask;
            case "System.Threading.Tasks.Task<TResult>":
                result = named.TypeArguments[0];
                return Shape.TaskOfT;
            case "System.Threading.Tasks.ValueTask<TResult>":
                result = named.TypeArguments[0];
                return Shape.ValueTaskOfT;
            case "System.Collections.Generic.IAsyncEnumerable<T>":
                result = named.TypeArguments[0];
                return Shape.AsyncEnumerable;
            default:
                return null;
        }
    }

    // As the runtime's ContractMethod.IsUnsupported: these would mean nothing on the other side.
    private static bool IsUnsupported(ITypeSymbol type)
    {
        if (type.TypeKind is TypeKind.Pointer or TypeKind.FunctionPointer or TypeKind.Delegate or TypeKind.TypeParameter or TypeKind.Dynamic) return true;
        if (type.IsRefLikeType) return true; // a span cannot be held until the call is sent
        if (type.ToDisplayString() == "System.Threading.CancellationToken") return true;
        for (var t = type; t is not null; t = t.BaseType)
        {
            var name = t.OriginalDefinition.ToDisplayString();
            if (name is "System.Delegate" or "System.Threading.Tasks.Task") return true;
        }
        return false;
    }

    /// <summary>Whether code anywhere in the assembly may name <paramref name="type"/> (and so the generated proxy may).</summary>
    private static bool IsVisible(ITypeSymbol type)
    {
        switch (type)
        {
            case IArrayTypeSymbol array:
                return IsVisible(array.ElementType);
            case INamedTypeSymbol named:
                for (var t = named; t is not null; t = t.ContainingType)
                {
                    if (t.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal) return false;
                    if (t.IsFileLocal) return false;
                }
                return named.TypeArguments.All(IsVisible);
            default:
                return type.TypeKind != TypeKind.Error;
        }
    }

    private static string Identifier(INamedTypeSymbol contract)
    {
        var name = contract.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", "");
        var identifier = new StringBuilder(name.Length);
        foreach (var c in name) identifier.Append(char.IsLetterOrDigit(c) ? c : '_');
        return identifier.ToString();
    }
}
