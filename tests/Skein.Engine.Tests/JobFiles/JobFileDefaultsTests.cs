using static Skein.Engine.Tests.JobFiles.JobFileAssert;

namespace Skein.Engine.Tests.JobFiles;

/// <summary>The defaults section reaches every task, and a task's own key wins.</summary>
public sealed class JobFileDefaultsTests
{
    private const string Yaml = """
        name: n
        defaults:
          timeout: 5m
          retries: 1
          workdir: build
          env: { MODE: default, SHARED: yes }
          kill-grace: 2s
        tasks:
          inherits:
            run: x
          overrides:
            run: y
            timeout: 30s
            retries: 0
            workdir: /tmp
            env: { MODE: own, EXTRA: "1" }
            kill-grace: 0s
        """;

    [Fact]
    public void A_task_without_its_own_keys_gets_the_defaults()
    {
        var job = Valid(Yaml, "/base");

        var task = Task(job, "inherits");
        Assert.Equal(TimeSpan.FromMinutes(5), task.Timeout);
        Assert.Equal(1, task.Retries);
        var command = Command(job, "inherits");
        Assert.Equal("/base/build", command.WorkingDirectory);
        Assert.Equal(new Dictionary<string, string> { ["MODE"] = "default", ["SHARED"] = "yes" }, command.Environment);
        Assert.Equal(TimeSpan.FromSeconds(2), command.KillGrace);
    }

    [Fact]
    public void A_task_own_key_wins_and_env_is_merged()
    {
        var job = Valid(Yaml, "/base");

        var task = Task(job, "overrides");
        Assert.Equal(TimeSpan.FromSeconds(30), task.Timeout);
        Assert.Equal(0, task.Retries);
        var command = Command(job, "overrides");
        Assert.Equal("/tmp", command.WorkingDirectory);
        Assert.Equal(
            new Dictionary<string, string> { ["MODE"] = "own", ["SHARED"] = "yes", ["EXTRA"] = "1" },
            command.Environment);
        Assert.Equal(TimeSpan.Zero, command.KillGrace);
    }

    [Fact]
    public void Inherited_keys_point_at_the_defaults_in_the_task_source()
    {
        var job = Valid(Yaml, "/base");

        var inherits = Task(job, "inherits").Source!;
        Assert.Equal(At(3, 3), inherits.LocationOf("timeout"));
        Assert.Equal(At(6, 3), inherits.LocationOf("env"));
        Assert.Equal(At(6, 10), inherits.LocationOf("env.MODE"));
        var overrides = Task(job, "overrides").Source!;
        Assert.Equal(At(13, 5), overrides.LocationOf("timeout"));
        Assert.Equal(At(16, 12), overrides.LocationOf("env.MODE"));
        Assert.Equal(At(6, 25), overrides.LocationOf("env.SHARED"));
    }
}
