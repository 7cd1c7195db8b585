using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Skein.Modules.Lifecycle;

namespace Skein.Cluster.Tests.Modules.Lifecycle;

public class ModuleLifecycleTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // The documented table, written out again so a change to it has to be made twice, on purpose.
    private static readonly HashSet<(ModuleState, ModuleState)> Allowed =
    [
        (ModuleState.Created, ModuleState.Initializing),
        (ModuleState.Initializing, ModuleState.Ready),
        (ModuleState.Initializing, ModuleState.Stopping),
        (ModuleState.Initializing, ModuleState.Failed),
        (ModuleState.Ready, ModuleState.Active),
        (ModuleState.Ready, ModuleState.Stopping),
        (ModuleState.Ready, ModuleState.Failed),
        (ModuleState.Active, ModuleState.Stopping),
        (ModuleState.Active, ModuleState.Stopped),
        (ModuleState.Active, ModuleState.Failed),
        (ModuleState.Stopping, ModuleState.Stopped),
    ];

    public static TheoryData<ModuleState, ModuleState> AllPairs()
    {
        var data = new TheoryData<ModuleState, ModuleState>();
        foreach (var from in Enum.GetValues<ModuleState>())
            foreach (var to in Enum.GetValues<ModuleState>())
                data.Add(from, to);
        return data;
    }

    /// <summary>A lifecycle brought to <paramref name="state"/> along allowed moves.</summary>
    private static ModuleLifecycle At(ModuleState state, TimeProvider? time = null)
    {
        var lifecycle = new ModuleLifecycle("stats", time);
        ModuleState[] path = state switch
        {
            ModuleState.Created => [],
            ModuleState.Initializing => [ModuleState.Initializing],
            ModuleState.Ready => [ModuleState.Initializing, ModuleState.Ready],
            ModuleState.Active => [ModuleState.Initializing, ModuleState.Ready, ModuleState.Active],
            ModuleState.Stopping => [ModuleState.Initializing, ModuleState.Ready, ModuleState.Active, ModuleState.Stopping],
            ModuleState.Stopped => [ModuleState.Initializing, ModuleState.Ready, ModuleState.Active, ModuleState.Stopping, ModuleState.Stopped],
            _ => [ModuleState.Initializing, ModuleState.Failed],
        };
        foreach (var step in path) lifecycle.MoveTo(step);
        Assert.Equal(state, lifecycle.State);
        return lifecycle;
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void Every_move_is_allowed_exactly_when_the_table_says(ModuleState from, ModuleState to)
    {
        var lifecycle = At(from);
        var allowed = Allowed.Contains((from, to));
        Assert.Equal(allowed, ModuleTransitions.IsAllowed(from, to));

        if (allowed)
        {
            lifecycle.MoveTo(to);
            Assert.Equal(to, lifecycle.State);
        }
        else
        {
            var error = Assert.Throws<ModuleTransitionException>(() => lifecycle.MoveTo(to));
            Assert.IsAssignableFrom<InvalidOperationException>(error);
            Assert.Equal(("stats", from, to), (error.Module, error.From, error.To));
            Assert.Contains($"module 'stats' cannot go from {from.ToText()} to {to.ToText()}", error.Message);
            Assert.Equal(from, lifecycle.State);
        }
    }

    [Theory]
    [InlineData(ModuleState.Failed, true)]
    [InlineData(ModuleState.Stopped, true)]
    [InlineData(ModuleState.Created, false)]
    [InlineData(ModuleState.Initializing, false)]
    [InlineData(ModuleState.Ready, false)]
    [InlineData(ModuleState.Active, false)]
    [InlineData(ModuleState.Stopping, false)]
    public void A_restart_starts_only_from_failed_or_stopped(ModuleState from, bool allowed)
    {
        var lifecycle = At(from);
        if (allowed)
        {
            lifecycle.Restart("restart 1");
            Assert.Equal(ModuleState.Initializing, lifecycle.State);
        }
        else
        {
            var error = Assert.Throws<ModuleTransitionException>(() => lifecycle.Restart("restart 1"));
            Assert.Contains("a restart starts only from failed or stopped", error.Message);
        }
    }

    [Fact]
    public void Leaving_failed_without_a_restart_is_refused_and_says_why()
    {
        var lifecycle = At(ModuleState.Failed);
        var error = Assert.Throws<ModuleTransitionException>(() => lifecycle.MoveTo(ModuleState.Initializing));
        Assert.Equal("module 'stats' cannot go from failed to initializing except through a restart by its supervisor", error.Message);
    }

    [Fact]
    public void Each_change_is_reported_with_module_states_reason_and_the_clock_time()
    {
        var time = new FakeTimeProvider(Start);
        var lifecycle = new ModuleLifecycle("stats", time);
        var changes = new List<ModuleStateChangedEventArgs>();
        lifecycle.StateChanged += (_, change) => changes.Add(change);

        lifecycle.MoveTo(ModuleState.Initializing, "starting");
        time.Advance(TimeSpan.FromSeconds(2));
        lifecycle.MoveTo(ModuleState.Failed, "threw InvalidOperationException: no config");
        time.Advance(TimeSpan.FromSeconds(1));
        lifecycle.Restart("restart 1");

        Assert.Collection(changes,
            c => Assert.Equal(("stats", ModuleState.Created, ModuleState.Initializing, "starting", Start), (c.Module, c.From, c.To, c.Reason, c.At)),
            c => Assert.Equal((ModuleState.Initializing, ModuleState.Failed, "threw InvalidOperationException: no config", Start.AddSeconds(2)), (c.From, c.To, c.Reason, c.At)),
            c => Assert.Equal((ModuleState.Failed, ModuleState.Initializing, "restart 1", Start.AddSeconds(3)), (c.From, c.To, c.Reason, c.At)));
        Assert.Equal(Start.AddSeconds(3), lifecycle.Since);
    }

    [Fact]
    public void A_handler_that_throws_does_not_stop_the_change_or_the_other_handlers()
    {
        var lifecycle = new ModuleLifecycle("stats");
        var seen = 0;
        lifecycle.StateChanged += (_, _) => throw new InvalidOperationException("bad subscriber");
        lifecycle.StateChanged += (_, _) => seen++;

        lifecycle.MoveTo(ModuleState.Initializing);

        Assert.Equal(ModuleState.Initializing, lifecycle.State);
        Assert.Equal(1, seen);
    }

    [Fact]
    public void The_state_event_has_a_subject_per_module_and_a_json_payload_with_state_names()
    {
        var change = new ModuleStateChangedEventArgs("stats", ModuleState.Active, ModuleState.Failed, "exited with code 1", Start);

        var json = JsonSerializer.Serialize(change.ToEvent(), ModuleEventsJsonContext.Default.ModuleStateEvent);

        Assert.Equal("module.stats.state", ModuleEvents.StateSubject("stats"));
        Assert.Equal("""{"module":"stats","from":"active","to":"failed","reason":"exited with code 1","at":"2026-01-01T00:00:00+00:00"}""", json);
        var back = JsonSerializer.Deserialize(json, ModuleEventsJsonContext.Default.ModuleStateEvent);
        Assert.Equal(change.ToEvent(), back);
    }

    [Fact]
    public void A_dotted_name_gets_one_subject_token()
    {
        Assert.Equal("module.Skein_Examples_Services.state", ModuleEvents.StateSubject("Skein.Examples.Services"));
    }

    [Theory]
    [InlineData("a b")]
    [InlineData("*")]
    public void A_name_that_cannot_be_one_subject_token_is_refused(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => ModuleEvents.StateSubject(name));
        Assert.False(string.IsNullOrEmpty(error.Message));
    }
}
