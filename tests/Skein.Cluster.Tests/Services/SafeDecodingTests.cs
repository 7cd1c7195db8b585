using System.Text;
using MessagePack;
using Skein.Cluster.Services.Codecs;
using Skein.Cluster.Services.Contracts;

namespace Skein.Cluster.Tests.Services;

/// <summary>A payload can only become the types the contract declares: nothing a sender writes names a type to create.</summary>
public sealed class SafeDecodingTests
{
    [Service("test-safety")]
    public interface ISafety
    {
        Task<string> TakeAsync(object value);

        Task<string> ShapeAsync(Shape shape);
    }

    public class Shape
    {
        public string Name { get; set; } = "";
    }

    /// <summary>A type a sender would love the server to create; its constructor counts.</summary>
    public sealed class Canary : Shape
    {
        public static int Created;

        public Canary() => Interlocked.Increment(ref Created);

        public string Command { get; set; } = "";
    }

    private static ContractMethod Method(string name) => ServiceContract.For<ISafety>().Methods[name];

    [Fact]
    public void A_MessagePack_payload_naming_a_type_does_not_create_it()
    {
        var before = Canary.Created;
        var typeless = MessagePackSerializer.Typeless.Serialize(new Canary { Command = "rm -rf /" }, cancellationToken: TestContext.Current.CancellationToken); // ext header with the type's name
        var before2 = Canary.Created;
        var payload = new byte[] { 0x91 }.Concat(typeless).ToArray(); // an array of one argument

        object? decoded;
        try
        {
            decoded = MessagePackPayloadCodec.Instance.DecodeArguments(Method("Take"), payload)[0];
        }
        catch (PayloadException)
        {
            decoded = null; // refusing it is as good as not creating it
        }

        Assert.Equal(before2, Canary.Created);
        Assert.IsNotType<Canary>(decoded);
        Assert.True(before2 - before == 1); // only the test's own instance
    }

    [Fact]
    public void A_JSON_payload_with_a_type_property_stays_plain_data()
    {
        var before = Canary.Created;
        var json = $"[{{\"$type\":\"{typeof(Canary).AssemblyQualifiedName}\",\"name\":\"x\",\"command\":\"rm -rf /\"}}]";

        var asObject = JsonPayloadCodec.Instance.DecodeArguments(Method("Take"), Encoding.UTF8.GetBytes(json))[0];
        var asShape = JsonPayloadCodec.Instance.DecodeArguments(Method("Shape"), Encoding.UTF8.GetBytes(json))[0];

        Assert.Equal(before, Canary.Created);
        Assert.IsType<System.Text.Json.JsonElement>(asObject);
        Assert.IsType<Shape>(asShape); // the declared type, never the derived one the sender named
    }

    [Fact]
    public void A_declared_base_type_decodes_as_itself_whatever_the_sender_meant()
    {
        var before = Canary.Created;
        var payload = MessagePackPayloadCodec.Instance.EncodeArguments(Method("Shape"), [new Canary { Name = "x", Command = "boom" }]);
        var afterEncode = Canary.Created;

        var decoded = MessagePackPayloadCodec.Instance.DecodeArguments(Method("Shape"), payload)[0];

        Assert.Equal(afterEncode, Canary.Created);
        Assert.IsType<Shape>(decoded);
        Assert.Equal("x", ((Shape)decoded!).Name);
        Assert.True(afterEncode - before == 1);
    }

    [Fact]
    public void Garbage_and_truncated_payloads_are_refused_with_a_message_naming_the_method()
    {
        var garbage = Assert.Throws<PayloadException>(() => MessagePackPayloadCodec.Instance.DecodeArguments(Method("Shape"), new byte[] { 0xc1, 0xff, 0x00 }));
        Assert.Contains("Shape", garbage.Message, StringComparison.Ordinal);
        var deep = Encoding.UTF8.GetBytes(new string('[', 10_000) + new string(']', 10_000));
        var tooDeep = Assert.Throws<PayloadException>(() => JsonPayloadCodec.Instance.DecodeArguments(Method("Take"), deep));
        Assert.Contains("Take", tooDeep.Message, StringComparison.Ordinal);
    }
}
