using System.Security.Cryptography;
using System.Text;

namespace Skein.Engine.Tests.Journal;

/// <summary>
/// --resume compares a task's digest with the one an earlier run journaled: the digest must not change between
/// versions for the same definition, however it is computed.
/// </summary>
public sealed class DefinitionHashTests
{
    public static TheoryData<string> Cases => ["plain", "everything", "long", "non-ascii", "artifacts", "empty lists"];

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_digest_is_the_one_earlier_versions_journaled(string name)
    {
        var spec = Spec(name);
        Assert.Equal(Reference(spec), DefinitionHash.Compute(spec));
    }

    [Fact]
    public void A_change_to_any_part_of_the_definition_changes_the_digest()
    {
        var baseline = DefinitionHash.Compute(Spec("everything"));
        var spec = Spec("everything");
        Assert.NotEqual(baseline, DefinitionHash.Compute(new TaskSpec { Id = spec.Id, Action = spec.Action, Needs = spec.Needs, Retries = 3 }));
        Assert.NotEqual(baseline, DefinitionHash.Compute(Copy(spec, timeout: TimeSpan.FromSeconds(6))));
        Assert.NotEqual(baseline, DefinitionHash.Compute(Copy(spec, version: "v3")));
        Assert.Equal(baseline, DefinitionHash.Compute(Copy(spec)));
    }

    private static TaskSpec Spec(string name) => name switch
    {
        "plain" => new TaskSpec { Id = "build", Action = new DelegateAction(Noop) },
        "everything" => new TaskSpec
        {
            Id = "deploy",
            Action = new DelegateAction(Noop, "run ./deploy.sh --fast"),
            Needs = ["build", "test"],
            Provides = ["site"],
            Claims = ["prod"],
            Uses = ["net", "disk"],
            Timeout = TimeSpan.FromSeconds(5),
            Retries = 2,
            Group = "release",
            Version = "v2",
        },
        "long" => new TaskSpec
        {
            Id = new string('t', 700),
            Action = new DelegateAction(Noop, new string('f', 3_000)),
            Needs = Enumerable.Range(0, 500).Select(i => $"need-{i}").ToArray(),
        },
        "non-ascii" => new TaskSpec { Id = "überprüfen-検証", Action = new DelegateAction(Noop, "echo ‘ü’ 🎉"), Group = "grüppe" },
        "artifacts" => new TaskSpec { Id = "pack", Action = new DelegateAction(Noop), Artifacts = ["dist/*.tar.gz", "out/**"] },
        _ => new TaskSpec { Id = "empty", Action = new DelegateAction(Noop, ""), Needs = [], Version = "" },
    };

    private static TaskSpec Copy(TaskSpec spec, TimeSpan? timeout = null, string? version = null) => new()
    {
        Id = spec.Id,
        Action = spec.Action,
        Needs = spec.Needs,
        Provides = spec.Provides,
        Claims = spec.Claims,
        Uses = spec.Uses,
        Timeout = timeout ?? spec.Timeout,
        Retries = spec.Retries,
        Group = spec.Group,
        Version = version ?? spec.Version,
    };

    private static ValueTask<object?> Noop(TaskContext context, CancellationToken cancellationToken) => default;

    /// <summary>The digest as the journal's first format computed it, kept here verbatim as the reference.</summary>
    private static string Reference(TaskSpec spec)
    {
        var text = new StringBuilder(256)
            .Append(spec.Id).Append('\n')
            .Append(spec.Action.Fingerprint).Append('\n')
            .AppendJoin(',', spec.Needs).Append('\n')
            .AppendJoin(',', spec.Provides).Append('\n')
            .AppendJoin(',', spec.Claims).Append('\n')
            .AppendJoin(',', spec.Uses).Append('\n')
            .Append(spec.Timeout?.Ticks).Append('\n')
            .Append(spec.Retries).Append('\n')
            .Append(spec.Group).Append('\n')
            .Append(spec.Version)
            .ToString();
        if (spec.Artifacts.Count > 0) text += "\nartifacts:" + string.Join('\n', spec.Artifacts);
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), digest);
        return Convert.ToHexStringLower(digest[..12]);
    }
}
