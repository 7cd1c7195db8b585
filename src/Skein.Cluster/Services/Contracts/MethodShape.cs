namespace Skein.Cluster.Services.Contracts;

/// <summary>What a contract method returns, which decides how its result crosses the wire.</summary>
internal enum MethodShape
{
    Task,
    TaskOfT,
    ValueTask,
    ValueTaskOfT,
    AsyncEnumerable,
}
