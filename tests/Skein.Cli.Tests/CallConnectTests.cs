using Skein.Cli.Commands;

namespace Skein.Cli.Tests;

/// <summary>How skein call turns its --timeout into the client's connection deadline and the call's own.</summary>
public sealed class CallConnectTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(90)]
    public void The_connection_deadline_is_the_users_timeout(int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), CallCommand.ConnectOptions(TimeSpan.FromSeconds(seconds)).ConnectTimeout);

    [Fact]
    public void Without_a_timeout_the_connection_deadline_is_the_generous_default() =>
        Assert.Equal(TimeSpan.FromSeconds(30), CallCommand.ConnectOptions(TimeSpan.Zero).ConnectTimeout);

    [Fact]
    public void The_call_gets_what_is_left_of_the_timeout_and_never_nothing()
    {
        Assert.Equal(TimeSpan.FromSeconds(7), CallCommand.Remaining(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(3)));
        Assert.Equal(TimeSpan.FromMilliseconds(1), CallCommand.Remaining(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)));
    }
}
