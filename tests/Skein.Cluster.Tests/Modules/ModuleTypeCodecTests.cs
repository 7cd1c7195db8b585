using MessagePack;
using MessagePack.Resolvers;
using Skein.Modules;
using Skein.Cluster.Services.Codecs;

namespace Skein.Cluster.Tests.Modules;

/// <summary>
/// A module's own types through the binary codec: written by reflection (not by MessagePack's emitted formatters), yet
/// in the very format a caller's contractless formatters read and write.
/// </summary>
public sealed class ModuleTypeCodecTests : IAsyncLifetime
{
    private static readonly MessagePackSerializerOptions Contractless = MessagePackSerializerOptions.Standard.WithResolver(ContractlessStandardResolver.Instance);
    private AssemblyModule _module = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _module = new AssemblyModuleLoader().Load(new ModuleLoadRequest(TestModules.GreeterV1, "codec"));
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _module.UnloadAsync();

    private Type Greeting => _module.Assembly!.GetType("Greeter.Greeting", throwOnError: true)!;

    [Fact]
    public void AModuleRecordIsWrittenAsTheContractlessMapACallerReads()
    {
        var greeting = Activator.CreateInstance(Greeting, "hi", "1.0")!;
        var payload = MessagePackPayloadCodec.Instance.EncodeValue(Greeting, greeting);
        Assert.Equal(new CallerGreeting("hi", "1.0"), MessagePackSerializer.Deserialize<CallerGreeting>(payload, Contractless, Ct));
        Assert.Equal(MessagePackSerializer.Serialize(new CallerGreeting("hi", "1.0"), Contractless, Ct), payload.ToArray());
    }

    [Fact]
    public void AModuleRecordIsReadSkippingUnknownKeysAndDefaultingMissingOnes()
    {
        var payload = MessagePackSerializer.Serialize(new Dictionary<string, object?> { ["Extra"] = 42, ["Text"] = "hi" }, Contractless, Ct);
        var read = MessagePackPayloadCodec.Instance.DecodeValue(Greeting, payload)!;
        Assert.IsType(Greeting, read);
        Assert.Equal("hi", Greeting.GetProperty("Text")!.GetValue(read));
        Assert.Null(Greeting.GetProperty("Library")!.GetValue(read));
        Assert.Null(MessagePackPayloadCodec.Instance.DecodeValue(Greeting, MessagePackSerializer.Serialize<object?>(null, Contractless, Ct)));
    }

    [Fact]
    public void AModuleEnumTravelsAsItsNumber()
    {
        var mood = _module.Assembly!.GetType("Greeter.Mood", throwOnError: true)!;
        var cheerful = Enum.Parse(mood, "Cheerful");
        var payload = MessagePackPayloadCodec.Instance.EncodeValue(mood, cheerful);
        Assert.Equal(MessagePackSerializer.Serialize(CallerMood.Cheerful, Contractless, Ct), payload.ToArray());
        Assert.Equal(cheerful, MessagePackPayloadCodec.Instance.DecodeValue(mood, payload));
    }

    [Fact]
    public void ListsAndArraysOfAModuleTypeTravelToo()
    {
        var list = (System.Collections.IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(Greeting))!;
        list.Add(Activator.CreateInstance(Greeting, "a", "1"));
        list.Add(Activator.CreateInstance(Greeting, "b", "2"));
        var payload = MessagePackPayloadCodec.Instance.EncodeValue(list.GetType(), list);
        Assert.Equal([new CallerGreeting("a", "1"), new CallerGreeting("b", "2")], MessagePackSerializer.Deserialize<CallerGreeting[]>(payload, Contractless, Ct));
        var array = (Array)MessagePackPayloadCodec.Instance.DecodeValue(Greeting.MakeArrayType(), payload)!;
        Assert.Equal(2, array.Length);
        Assert.Equal("b", Greeting.GetProperty("Text")!.GetValue(array.GetValue(1)));
    }
}

/// <summary>The caller's copy of the module's Mood.</summary>
public enum CallerMood
{
    Calm,
    Cheerful = 7,
}
