using Skein.Cluster.Addressing;

namespace Skein.Cluster.Tests;

public class ClusterTokenTests
{
    [Fact]
    public void The_token_is_made_once_and_readable_by_its_owner_only()
    {
        using var dir = new TempDirectory();
        var first = ClusterToken.LoadOrCreate(dir.Path);
        var second = ClusterToken.LoadOrCreate(dir.Path);
        Assert.Equal(first, second);
        Assert.Equal(64, first.Length);
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir.Path, ClusterToken.FileName)));
    }

    [Theory]
    [InlineData("127.0.0.1:7700", "http://127.0.0.1:7700")]
    [InlineData("http://localhost:7700/", "http://localhost:7700")]
    [InlineData("host.example:9", "http://host.example:9")]
    public void Addresses_parse_with_or_without_a_scheme(string text, string expected) =>
        Assert.Equal(expected, ClusterAddress.Format(ClusterAddress.Parse(text)));

    [Theory]
    [InlineData("")]
    [InlineData("nohost")]
    [InlineData("127.0.0.1:notaport")]
    [InlineData("ftp://x:1")]
    public void Bad_addresses_are_refused_saying_what_is_expected(string text)
    {
        var ex = Assert.Throws<SkeinException>(() => ClusterAddress.Parse(text));
        Assert.Contains("HOST:PORT", ex.Message);
    }

    [Theory]
    [InlineData("127.0.0.1:0")]
    [InlineData("*:7700")]
    [InlineData("[::1]:7700")]
    [InlineData("localhost:1")]
    public void Listen_addresses_parse(string text) => _ = ListenAddress.Parse(text);

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("example.com:7700")]
    [InlineData("127.0.0.1:70000")]
    public void Bad_listen_addresses_are_refused(string text) =>
        Assert.Throws<SkeinException>(() => ListenAddress.Parse(text));
}
