using Skein.Testing;

namespace BadExperiments;

public static class Wrong
{
    [Experiment]
    public static int TakesAString(string text) => text.Length;
}
