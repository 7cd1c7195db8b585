using Skein.Bench.Reporting;
using Skein.Engine;

namespace Skein.Bench.Scenarios;

/// <summary>One task releasing many at once, and one task waiting for all of them.</summary>
internal sealed class FanScenario : GraphShapeScenario
{
    public const int Width = 50_000;

    public override string Name => "fan";

    public override string Description => $"1 → {Format.Count(Width)} → 1 fan-out/fan-in of no-op tasks";

    protected override int TaskCount => Width + 2;

    protected override Job BuildJob() => EngineHarness.FanJob(Width);

    protected override string NotePrefix => $"{Format.Count(TaskCount)} tasks; ";
}
