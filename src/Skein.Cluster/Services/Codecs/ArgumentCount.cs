using Skein.Cluster.Services.Contracts;

namespace Skein.Cluster.Services.Codecs;

internal static class ArgumentCount
{
    /// <summary>Refuses an argument array of the wrong length with the method's signature in the message.</summary>
    public static void Check(ContractMethod method, int count)
    {
        if (count == method.ParameterTypes.Length) return;
        var expected = method.ParameterTypes.Length == 1 ? "1 argument" : $"{method.ParameterTypes.Length} arguments";
        throw new ArgumentCountException($"{method.Contract.Name}.{method.WireName} takes {expected}, not {count}: {method.Signature}");
    }
}

/// <summary>The caller sent a number of arguments no method of that name takes; heard as <see cref="RemoteErrorKind.MethodNotFound"/>.</summary>
internal sealed class ArgumentCountException(string message) : Exception(message);
