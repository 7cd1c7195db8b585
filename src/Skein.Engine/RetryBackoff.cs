namespace Skein.Engine;

/// <summary>How the delay before each retry grows from <see cref="TaskSpec.RetryDelay"/>. Every delay gets jitter.</summary>
public enum RetryBackoff
{
    /// <summary>Doubles with each retry: delay, 2×delay, 4×delay… (with decorrelated jitter). The default.</summary>
    Exponential,

    /// <summary>The same delay before every retry (±25% jitter).</summary>
    Constant,

    /// <summary>Grows by the delay with each retry: delay, 2×delay, 3×delay… (±25% jitter).</summary>
    Linear,
}
