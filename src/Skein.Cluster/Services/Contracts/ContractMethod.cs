using System.Linq.Expressions;
using System.Reflection;

namespace Skein.Cluster.Services.Contracts;

/// <summary>
/// One method of a service contract, reflected once: its wire name, the types its arguments decode to, its shape,
/// and a compiled invoker so that serving a call costs no reflection.
/// </summary>
internal sealed class ContractMethod
{
    private ContractMethod(ServiceContract contract, MethodInfo method, string wireName, Type[] parameterTypes, string[] parameterNames,
        int cancellationTokenIndex, MethodShape shape, Type? resultType)
    {
        Contract = contract;
        Method = method;
        WireName = wireName;
        ParameterTypes = parameterTypes;
        ParameterNames = parameterNames;
        CancellationTokenIndex = cancellationTokenIndex;
        Shape = shape;
        ResultType = resultType;
        ServerInvoker = CompileServerInvoker(method, parameterTypes.Length, cancellationTokenIndex);
    }

    public ServiceContract Contract { get; }

    public MethodInfo Method { get; }

    /// <summary>The C# name without its "Async" suffix: "EchoAsync" travels as "Echo".</summary>
    public string WireName { get; }

    /// <summary>The argument types, in order, without the <see cref="CancellationToken"/>.</summary>
    public Type[] ParameterTypes { get; }

    public string[] ParameterNames { get; }

    /// <summary>Where the <see cref="CancellationToken"/> sits among the C# parameters, or -1.</summary>
    public int CancellationTokenIndex { get; }

    public MethodShape Shape { get; }

    /// <summary>T of Task&lt;T&gt;, ValueTask&lt;T&gt; or IAsyncEnumerable&lt;T&gt;; null for Task and ValueTask.</summary>
    public Type? ResultType { get; }

    public bool IsStreaming => Shape == MethodShape.AsyncEnumerable;

    /// <summary>Calls the method on a server object with decoded arguments and the call's token; returns what it returned.</summary>
    public Func<object, object?[], CancellationToken, object?> ServerInvoker { get; }

    /// <summary>"Echo(String text) → String", for listings and error messages.</summary>
    public string Signature
    {
        get
        {
            var parameters = string.Join(", ", ParameterTypes.Select((t, i) => $"{TypeNames.Short(t)} {ParameterNames[i]}"));
            var result = ResultType is null ? "" : IsStreaming ? $" → stream of {TypeNames.Short(ResultType)}" : $" → {TypeNames.Short(ResultType)}";
            return $"{WireName}({parameters}){result}";
        }
    }

    public static string WireNameOf(MethodInfo method) =>
        method.Name.Length > 5 && method.Name.EndsWith("Async", StringComparison.Ordinal) ? method.Name[..^5] : method.Name;

    /// <summary>Reflects <paramref name="method"/>, or throws a <see cref="SkeinException"/> naming what the contract may not contain.</summary>
    public static ContractMethod Reflect(ServiceContract contract, MethodInfo method)
    {
        var where = $"{contract.Type.FullName}.{method.Name}";
        if (method.IsGenericMethodDefinition)
            throw new SkeinException($"{where} is generic; service methods cannot be, because a caller could not say which types to decode");
        var (shape, result) = ShapeOf(method.ReturnType)
            ?? throw new SkeinException($"{where} returns {TypeNames.Short(method.ReturnType)}; service methods must return Task, Task<T>, ValueTask, ValueTask<T> or IAsyncEnumerable<T>");
        var parameters = method.GetParameters();
        var types = new List<Type>();
        var names = new List<string>();
        var tokenIndex = -1;
        for (var i = 0; i < parameters.Length; i++)
        {
            var p = parameters[i];
            if (p.ParameterType.IsByRef || p.IsOut)
                throw new SkeinException($"{where}: parameter '{p.Name}' is ref or out; service arguments travel one way");
            if (p.ParameterType == typeof(CancellationToken))
            {
                if (tokenIndex >= 0) throw new SkeinException($"{where} takes two CancellationTokens; it may take one");
                tokenIndex = i;
                continue;
            }
            if (IsUnsupported(p.ParameterType))
                throw new SkeinException($"{where}: parameter '{p.Name}' is {TypeNames.Short(p.ParameterType)}, which cannot cross the wire");
            types.Add(p.ParameterType);
            names.Add(p.Name ?? $"arg{i}");
        }
        if (result is not null && IsUnsupported(result))
            throw new SkeinException($"{where} returns {TypeNames.Short(result)}, which cannot cross the wire");
        return new ContractMethod(contract, method, WireNameOf(method), [.. types], [.. names], tokenIndex, shape, result);
    }

    private static (MethodShape, Type?)? ShapeOf(Type returnType)
    {
        if (returnType == typeof(Task)) return (MethodShape.Task, null);
        if (returnType == typeof(ValueTask)) return (MethodShape.ValueTask, null);
        if (!returnType.IsGenericType) return null;
        var definition = returnType.GetGenericTypeDefinition();
        var argument = returnType.GetGenericArguments()[0];
        if (definition == typeof(Task<>)) return (MethodShape.TaskOfT, argument);
        if (definition == typeof(ValueTask<>)) return (MethodShape.ValueTaskOfT, argument);
        if (definition == typeof(IAsyncEnumerable<>)) return (MethodShape.AsyncEnumerable, argument);
        return null;
    }

    // Delegates, pointers and tasks would mean nothing on the other side.
    private static bool IsUnsupported(Type type) =>
        type.IsPointer || typeof(Delegate).IsAssignableFrom(type) || typeof(Task).IsAssignableFrom(type) || type == typeof(CancellationToken)
        || type.IsGenericParameter;

    private static Func<object, object?[], CancellationToken, object?> CompileServerInvoker(MethodInfo method, int argumentCount, int tokenIndex)
    {
        var target = Expression.Parameter(typeof(object), "target");
        var args = Expression.Parameter(typeof(object?[]), "args");
        var token = Expression.Parameter(typeof(CancellationToken), "token");
        var parameters = method.GetParameters();
        var callArguments = new Expression[parameters.Length];
        var next = 0;
        for (var i = 0; i < parameters.Length; i++)
        {
            if (i == tokenIndex)
            {
                callArguments[i] = token;
                continue;
            }
            callArguments[i] = Expression.Convert(Expression.ArrayIndex(args, Expression.Constant(next++)), parameters[i].ParameterType);
        }
        var call = Expression.Call(Expression.Convert(target, method.DeclaringType!), method, callArguments);
        var body = Expression.Convert(call, typeof(object));
        _ = argumentCount;
        return Expression.Lambda<Func<object, object?[], CancellationToken, object?>>(body, target, args, token).Compile();
    }
}
