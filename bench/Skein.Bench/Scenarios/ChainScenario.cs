using Skein.Bench.Reporting;
using Skein.Engine;

namespace Skein.Bench.Scenarios;

/// <summary>Dependent tasks one after another: the latency of releasing a dependent and starting it.</summary>
internal sealed class ChainScenario : GraphShapeScenario
{
    public const int Length = 10_000;

    public override string Name => "chain";

    public override string Description => $"{Format.Count(Length)} no-op tasks in a chain, each needing the one before";

    protected override int TaskCount => Length;

    protected override Job BuildJob() => EngineHarness.ChainJob(Length);
}
