namespace Skein.Bench.Orleans;

/// <summary>Returns its argument; nothing else, so the benchmark measures the call and not the grain.</summary>
public sealed class EchoGrain : Grain, IEchoGrain
{
    public Task<string> Echo(string text) => Task.FromResult(text);
}
