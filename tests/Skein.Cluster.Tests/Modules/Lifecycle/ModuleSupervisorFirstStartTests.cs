using Skein.Modules.Lifecycle;

namespace Skein.Cluster.Tests.Modules.Lifecycle;

/// <summary>What a load needs of the supervisor: a first start that fails ends supervision, and IsServing follows the run.</summary>
public sealed class ModuleSupervisorFirstStartTests
{
    private static readonly TimeSpan Timeout = TestPatience.Ceiling;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_failed_first_start_is_not_retried_when_the_supervisor_gives_up_on_it_even_if_permanent()
    {
        var modules = new FakeModules(_ => new FakeModule { InitializeThrows = new InvalidOperationException("no config") });
        await using var supervisor = new ModuleSupervisor("stats", modules.Create) { GiveUpIfFirstStartFails = true };
        var gaveUp = new Recorder<ModuleGaveUpEventArgs>();
        supervisor.GaveUp += gaveUp.Add;

        var error = await Assert.ThrowsAsync<ModuleUnavailableException>(() => supervisor.StartAsync(Ct).WaitAsync(Timeout, Ct));

        Assert.Equal("module 'stats' is failed: its first start failed; last run threw InvalidOperationException: no config", error.Message);
        Assert.Equal(1, modules.Count);
        Assert.Equal(ModuleState.Failed, supervisor.State);
        Assert.Equal(0, supervisor.Restarts);
        Assert.False(supervisor.IsServing);
        Assert.Equal("its first start failed; last run threw InvalidOperationException: no config", (await gaveUp.NextAsync()).Reason);
    }

    [Fact]
    public async Task Is_serving_only_while_a_run_is_active_and_not_once_a_stop_began()
    {
        var modules = new FakeModules();
        await using var supervisor = new ModuleSupervisor("stats", modules.Create);
        Assert.False(supervisor.IsServing);
        await supervisor.StartAsync(Ct).WaitAsync(Timeout, Ct);
        Assert.True(supervisor.IsServing);

        var stopping = supervisor.StopAsync(TimeSpan.FromSeconds(1), Ct);
        Assert.False(supervisor.IsServing); // at once: the stop marks the module unavailable before it waits for anything
        await stopping.WaitAsync(Timeout, Ct);
        Assert.False(supervisor.IsServing);
    }
}
