using System.Reflection;
using Skein.Modules;
using Skein.Testing;

namespace Skein.Cli.Suites;

/// <summary>One <c>[Experiment]</c> method of a test assembly, as the suite loader found it.</summary>
/// <param name="Method">"Namespace.Type::Method": what <c>skein run-experiment --method</c> is given.</param>
internal sealed record CSharpExperiment(string Name, string Assembly, string Method, ExperimentAttribute Attribute);

/// <summary>
/// Loads a test assembly as the node loads an assembly module — its own collectible load context, its dependencies
/// from its own folder, Skein's assemblies shared with the process — and finds its <see cref="ExperimentAttribute"/>
/// methods: the suite loader to list them, <c>skein run-experiment</c> to run one.
/// </summary>
internal sealed class ExperimentAssembly : IDisposable
{
    /// <summary>
    /// Skein's own assemblies and the logging abstractions: the attribute, the context and the client an experiment
    /// receives must be the types this process has, not copies from the assembly's folder.
    /// </summary>
    public static readonly IReadOnlySet<string> SharedAssemblies = new HashSet<string>(
        [.. AssemblyModuleLoader.DefaultSharedAssemblies, "Skein.Testing", "Skein.Abstractions", "Microsoft.Extensions.Logging.Abstractions"],
        StringComparer.OrdinalIgnoreCase);

    public const string SignatureRule =
        "an [Experiment] method takes an ExperimentContext or nothing, returns void, Task or ValueTask, is not generic, and is static or in a class with a public parameterless constructor";

    private readonly ModuleLoadContext _context;

    private ExperimentAssembly(string path, ModuleLoadContext context, Assembly assembly)
    {
        Path = path;
        _context = context;
        Assembly = assembly;
    }

    public string Path { get; }

    public Assembly Assembly { get; }

    /// <summary>Loads <paramref name="path"/> in a load context of its own.</summary>
    /// <exception cref="SkeinException">It does not exist, or is not a .NET assembly; the message names the file.</exception>
    public static ExperimentAssembly Load(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full)) throw new SkeinException($"test assembly not found: {full}");
        var context = new ModuleLoadContext("experiments:" + System.IO.Path.GetFileName(full), full, SharedAssemblies);
        try
        {
            return new ExperimentAssembly(full, context, context.LoadFromAssemblyPath(full));
        }
        catch (Exception ex) when (ex is BadImageFormatException or FileLoadException or IOException)
        {
            context.Unload();
            throw new SkeinException($"{full} is not a .NET assembly Skein can load: {ex.Message}", ex);
        }
    }

    /// <summary>Every <c>[Experiment]</c> method, in type and method order; each problem (a wrong signature) named by file and method.</summary>
    public List<CSharpExperiment> FindExperiments(List<string> problems)
    {
        var found = new List<CSharpExperiment>();
        foreach (var type in Types(problems).OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            MethodInfo[] methods;
            try
            {
                methods = type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly);
            }
            catch (Exception ex) when (ex is TypeLoadException or FileNotFoundException or FileLoadException)
            {
                problems.Add($"{Path}: cannot read the methods of {type.FullName}: {ex.Message}");
                continue;
            }
            foreach (var method in methods.OrderBy(m => m.MetadataToken))
            {
                ExperimentAttribute? attribute;
                try
                {
                    attribute = method.GetCustomAttribute<ExperimentAttribute>();
                }
                catch (Exception ex) when (ex is TypeLoadException or FileNotFoundException or FileLoadException or CustomAttributeFormatException)
                {
                    problems.Add($"{Path}: cannot read the attributes of {Describe(method)}: {ex.Message}");
                    continue;
                }
                if (attribute is null) continue;
                if (SignatureProblem(method) is { } problem)
                {
                    problems.Add($"{Path}: {Describe(method)}: {problem}; {SignatureRule}");
                    continue;
                }
                found.Add(new CSharpExperiment(attribute.Name ?? method.Name, Path, MethodId(method), attribute));
            }
        }
        return found;
    }

    /// <summary>The <c>[Experiment]</c> method named "Namespace.Type::Method".</summary>
    /// <exception cref="SkeinException">No such type or method, or its signature is wrong; the message names the file and method.</exception>
    public MethodInfo FindMethod(string methodId)
    {
        var separator = methodId.LastIndexOf("::", StringComparison.Ordinal);
        if (separator <= 0) throw new SkeinException($"'{methodId}' does not name a method: write Namespace.Type::Method");
        var typeName = methodId[..separator];
        var name = methodId[(separator + 2)..];
        var type = Assembly.GetType(typeName, throwOnError: false) ?? throw new SkeinException($"{Path} has no type {typeName}");
        var method = type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .FirstOrDefault(m => m.Name == name && m.IsDefined(typeof(ExperimentAttribute), inherit: false))
            ?? throw new SkeinException($"{Path}: {typeName} has no method {name} marked [Experiment]");
        if (SignatureProblem(method) is { } problem) throw new SkeinException($"{Path}: {Describe(method)}: {problem}; {SignatureRule}");
        return method;
    }

    /// <summary>Why <paramref name="method"/> cannot be run as an experiment, or null.</summary>
    public static string? SignatureProblem(MethodInfo method)
    {
        if (method.IsGenericMethodDefinition) return "it is generic";
        var parameters = method.GetParameters();
        if (parameters.Length > 1 || (parameters.Length == 1 && parameters[0].ParameterType != typeof(ExperimentContext)))
            return $"it takes ({string.Join(", ", parameters.Select(p => p.ParameterType.Name))})";
        var returns = method.ReturnType;
        if (returns != typeof(void) && returns != typeof(Task) && returns != typeof(ValueTask)) return $"it returns {returns.Name}";
        var type = method.DeclaringType!;
        if (type.IsGenericTypeDefinition) return $"its class {type.Name} is generic";
        if (!method.IsStatic && (type.IsAbstract || !type.IsClass || type.GetConstructor(Type.EmptyTypes) is null))
            return $"it is an instance method and {type.Name} has no public parameterless constructor";
        return null;
    }

    public static string MethodId(MethodInfo method) => $"{method.DeclaringType!.FullName}::{method.Name}";

    private static string Describe(MethodInfo method) => $"{method.DeclaringType?.FullName}.{method.Name}";

    private IEnumerable<Type> Types(List<string> problems)
    {
        try
        {
            return Assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            // The types that did load are still searched; why the others did not is said once.
            problems.Add($"{Path}: some types cannot be loaded: {ex.LoaderExceptions.FirstOrDefault(e => e is not null)?.Message ?? ex.Message}");
            return ex.Types.Where(t => t is not null)!;
        }
    }

    public void Dispose() => _context.Unload();
}
