using static Skein.Engine.Tests.JobFiles.JobFileAssert;

namespace Skein.Engine.Tests.JobFiles;

/// <summary>retry-delay and retry-backoff: on a task, in defaults, and refused by line when wrong.</summary>
public sealed class RetryDelayKeysTests
{
    [Fact]
    public void A_task_without_them_retries_at_once_as_before()
    {
        var task = Task(Valid("""
            name: n
            tasks:
              t: { run: make, retries: 2 }
            """), "t");

        Assert.Equal(TimeSpan.Zero, task.RetryDelay);
        Assert.Equal(RetryBackoff.Exponential, task.RetryBackoff);
    }

    [Fact]
    public void A_task_sets_its_delay_and_backoff()
    {
        var job = Valid("""
            name: n
            tasks:
              t:
                run: make
                retries: 2
                retry-delay: 100ms
                retry-backoff: linear
              u: { run: make, retries: 1, retry-delay: 1m30s }
            """);

        Assert.Equal(TimeSpan.FromMilliseconds(100), Task(job, "t").RetryDelay);
        Assert.Equal(RetryBackoff.Linear, Task(job, "t").RetryBackoff);
        Assert.Equal(TimeSpan.FromSeconds(90), Task(job, "u").RetryDelay);
        Assert.Equal(RetryBackoff.Exponential, Task(job, "u").RetryBackoff);
    }

    [Fact]
    public void Defaults_give_them_to_every_task_that_does_not_set_its_own()
    {
        var job = Valid("""
            name: n
            defaults:
              retries: 1
              retry-delay: 2s
              retry-backoff: constant
            tasks:
              inherits: { run: make }
              own: { run: make, retry-delay: 0s, retry-backoff: exponential }
            """);

        Assert.Equal(TimeSpan.FromSeconds(2), Task(job, "inherits").RetryDelay);
        Assert.Equal(RetryBackoff.Constant, Task(job, "inherits").RetryBackoff);
        Assert.Equal(At(4, 3), Task(job, "inherits").Source!.LocationOf("retry-delay"));
        Assert.Equal(TimeSpan.Zero, Task(job, "own").RetryDelay);
        Assert.Equal(RetryBackoff.Exponential, Task(job, "own").RetryBackoff);
    }

    [Fact]
    public void A_delay_that_is_not_a_duration_is_an_error_where_it_is_written()
    {
        var result = Parse("""
            name: n
            tasks:
              t:
                run: make
                retry-delay: 30
            """);

        Error(result, 5, 18, "'retry-delay' of task 't' must be a duration", "did you mean '30s'?");
    }

    [Fact]
    public void A_delay_longer_than_a_day_is_an_error_where_it_is_written()
    {
        var result = Parse("""
            name: n
            defaults:
              retry-delay: 25h
            tasks:
              t: { run: make }
            """);

        Error(result, 3, 16, "'retry-delay' in defaults must be at most 24h");
    }

    [Fact]
    public void An_unknown_backoff_is_an_error_that_suggests_the_closest()
    {
        var result = Parse("""
            name: n
            tasks:
              t:
                run: make
                retry-backoff: exponentail
            """);

        Error(result, 5, 20, "'retry-backoff' of task 't' must be one of constant, linear, exponential", "did you mean 'exponential'?");
    }

    [Fact]
    public void A_misspelt_key_suggests_the_retry_key()
    {
        var result = Parse("""
            name: n
            tasks:
              t: { run: make, retry-dealy: 1s }
            """);

        Error(result, 3, 19, "unknown key 'retry-dealy'", "did you mean 'retry-delay'?");
    }
}
