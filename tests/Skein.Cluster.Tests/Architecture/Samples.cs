// Two namespaces for NamespaceCycleTests: Caller uses Callee only inside method bodies, once through a lambda (whose
// closure the compiler puts in a generated nested type).
namespace Skein.Cluster.Tests.Architecture.Samples.Caller
{
    internal static class Maker
    {
        public static object Make() => new Callee.Made();

        public static Func<object> MakeLater() => () => new Callee.MadeLater();
    }
}

namespace Skein.Cluster.Tests.Architecture.Samples.Callee
{
    internal sealed class Made;

    internal sealed class MadeLater;
}
