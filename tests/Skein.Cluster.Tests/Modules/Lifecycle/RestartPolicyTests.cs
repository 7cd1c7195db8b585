using Skein.Modules.Lifecycle;

namespace Skein.Cluster.Tests.Modules.Lifecycle;

public class RestartPolicyTests
{
    [Fact]
    public void Defaults_are_permanent_five_restarts_in_sixty_seconds_backoff_from_100ms_to_5s()
    {
        var policy = RestartPolicy.Parse(null);
        Assert.Equal(RestartPolicy.Default, policy);
        Assert.Equal(RestartMode.Permanent, policy.Mode);
        Assert.Equal(5, policy.MaxRestarts);
        Assert.Equal(TimeSpan.FromSeconds(60), policy.Within);
        Assert.Equal(TimeSpan.FromMilliseconds(100), policy.Backoff);
        Assert.Equal(TimeSpan.FromSeconds(5), policy.MaxBackoff);
    }

    [Fact]
    public void Module_yaml_values_are_read_as_written()
    {
        var policy = RestartPolicy.Parse("transient", maxRestarts: "3", within: "1m30s", backoff: "50ms", maxBackoff: "2s");
        Assert.Equal(new RestartPolicy
        {
            Mode = RestartMode.Transient,
            MaxRestarts = 3,
            Within = TimeSpan.FromSeconds(90),
            Backoff = TimeSpan.FromMilliseconds(50),
            MaxBackoff = TimeSpan.FromSeconds(2),
        }, policy);
    }

    [Theory]
    [InlineData("permanent", RestartMode.Permanent)]
    [InlineData("transient", RestartMode.Transient)]
    [InlineData("temporary", RestartMode.Temporary)]
    [InlineData(" Temporary ", RestartMode.Temporary)]
    public void Each_mode_is_read(string text, RestartMode mode) => Assert.Equal(mode, RestartPolicy.ParseMode(text));

    [Theory]
    [InlineData("sometimes", null, null, "restart: 'sometimes' is not permanent, transient or temporary")]
    [InlineData(null, "lots", null, "max-restarts: 'lots' is not a whole number of 0 or more")]
    [InlineData(null, "-1", null, "max-restarts: '-1' is not a whole number of 0 or more")]
    [InlineData(null, null, "60", "within: '60' is not a duration (did you mean 60s?); write a number and a unit: 500ms, 30s, 5m, 1h")]
    [InlineData(null, null, "soon", "within: 'soon' is not a duration; write a number and a unit: 500ms, 30s, 5m, 1h")]
    [InlineData(null, null, "0s", "within: '0s' must be longer than zero")]
    public void A_bad_value_is_refused_naming_the_key_and_the_value(string? restart, string? maxRestarts, string? within, string message)
    {
        var error = Assert.Throws<FormatException>(() => RestartPolicy.Parse(restart, maxRestarts, within));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void A_max_backoff_shorter_than_the_backoff_is_refused()
    {
        var error = Assert.Throws<FormatException>(() => RestartPolicy.Parse(null, backoff: "2s", maxBackoff: "1s"));
        Assert.Equal("max-backoff: 1s is shorter than backoff (2s)", error.Message);
    }

    [Fact]
    public void A_max_backoff_over_a_day_is_refused()
    {
        var error = Assert.Throws<FormatException>(() => RestartPolicy.Parse(null, maxBackoff: "25h"));
        Assert.Equal("max-backoff: 25h is longer than 24h, the longest wait between restarts", error.Message);
    }

    [Theory]
    [InlineData(RestartMode.Permanent, true, true, true)]
    [InlineData(RestartMode.Transient, false, true, true)]
    [InlineData(RestartMode.Temporary, false, false, false)]
    public void Each_mode_restarts_after_the_exits_it_names(RestartMode mode, bool afterCleanExit, bool afterExitCode, bool afterException)
    {
        var policy = new RestartPolicy { Mode = mode };
        Assert.Equal(afterCleanExit, policy.ShouldRestart(ModuleExit.Exited(0)));
        Assert.Equal(afterExitCode, policy.ShouldRestart(ModuleExit.Exited(3)));
        Assert.Equal(afterException, policy.ShouldRestart(ModuleExit.Faulted(new InvalidOperationException())));
    }

    [Fact]
    public void The_backoff_doubles_with_each_restart_in_the_window_up_to_the_cap()
    {
        var policy = RestartPolicy.Default;
        int[] expectedMs = [100, 200, 400, 800, 1600, 3200, 5000, 5000];
        for (var i = 0; i < expectedMs.Length; i++)
            Assert.Equal(TimeSpan.FromMilliseconds(expectedMs[i]), policy.BackoffFor(i));
        Assert.Equal(TimeSpan.FromSeconds(5), policy.BackoffFor(int.MaxValue));
    }

    [Theory]
    [InlineData("fail-node", ModuleFailureAction.FailNode)]
    [InlineData("withdraw", ModuleFailureAction.Withdraw)]
    public void On_failure_is_read(string text, ModuleFailureAction action)
    {
        Assert.Equal(action, ModuleFailureActions.Parse(text));
        Assert.Equal(text, action.ToText());
    }

    [Fact]
    public void A_bad_on_failure_is_refused_naming_the_value()
    {
        var error = Assert.Throws<FormatException>(() => ModuleFailureActions.Parse("explode"));
        Assert.Equal("on-failure: 'explode' is not withdraw or fail-node", error.Message);
    }

    [Fact]
    public void An_exit_says_whether_it_was_abnormal_and_describes_itself()
    {
        Assert.False(ModuleExit.Requested.IsAbnormal);
        Assert.False(ModuleExit.Exited(0).IsAbnormal);
        Assert.True(ModuleExit.Exited(137).IsAbnormal);
        Assert.True(ModuleExit.Faulted(new InvalidOperationException("no config")).IsAbnormal);
        Assert.Equal("exited with code 1; stderr: Traceback: boom", ModuleExit.Exited(1, "Traceback: boom\n").ToString());
        Assert.Equal("threw InvalidOperationException: no config", ModuleExit.Faulted(new InvalidOperationException("no config")).ToString());
        Assert.Equal("stopped on request", ModuleExit.Requested.ToString());
    }
}
