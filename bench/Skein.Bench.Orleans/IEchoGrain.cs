namespace Skein.Bench.Orleans;

/// <summary>The grain the benchmark calls: it returns its argument.</summary>
public interface IEchoGrain : IGrainWithIntegerKey
{
    Task<string> Echo(string text);
}
