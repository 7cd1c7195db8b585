using Skein.Engine.Tests.JobFiles;

namespace Skein.Engine.Tests.Artifacts;

/// <summary>The artifacts and limits keys of a job file: read, and refused where they are wrong, with file and line.</summary>
public class ArtifactKeysTests
{
    [Fact]
    public void Artifacts_and_the_limit_are_read()
    {
        var job = JobFileAssert.Valid("""
            name: keys
            limits: { artifacts: 2GiB }
            tasks:
              build:
                run: make
                artifacts: [dist/*.tar.gz, "report/**", "!report/tmp/**"]
              one: { run: make, artifacts: out.bin }
            """);

        Assert.Equal(2L << 30, job.ArtifactLimit);
        Assert.Equal(["dist/*.tar.gz", "report/**", "!report/tmp/**"], JobFileAssert.Task(job, "build").Artifacts);
        Assert.Equal(["out.bin"], JobFileAssert.Task(job, "one").Artifacts);
    }

    [Fact]
    public void Hostile_or_broken_patterns_are_errors_where_they_are_written()
    {
        var result = JobFileAssert.Parse("""
            name: bad
            limits: { artifacts: lots }
            tasks:
              a:
                run: make
                artifacts:
                  - /etc/shadow
                  - ../up.txt
                  - "dist/[x"
              b: { call: echo.Echo, artifacts: [x] }
            """);

        JobFileAssert.Error(result, 2, 22, "'limits.artifacts' must be a size");
        JobFileAssert.Error(result, 7, 9, "must be relative", "'artifacts' of task 'a'");
        JobFileAssert.Error(result, 8, 9, "goes up with '..'");
        JobFileAssert.Error(result, 9, 9, "no closing ']'");
        JobFileAssert.Error(result, 10, 25, "only applies to 'run'");
    }

    [Fact]
    public void A_placeholder_that_makes_a_pattern_escape_is_an_error_too()
    {
        var result = JobFileAssert.Parse("""
            name: bad
            tasks:
              "t-{{matrix.d}}":
                matrix: { d: [ok, ..] }
                run: make
                artifacts: ["{{matrix.d}}/x"]
            """);

        JobFileAssert.Error(result, 6, 17, "goes up with '..'", "in task 't-{{matrix.d}}'");
    }
}
