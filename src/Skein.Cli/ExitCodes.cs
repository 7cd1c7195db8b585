namespace Skein.Cli;

/// <summary>The exit codes every skein command uses.</summary>
internal static class ExitCodes
{
    /// <summary>Everything passed or warned.</summary>
    public const int Success = 0;

    /// <summary>Something failed, errored, timed out or was skipped.</summary>
    public const int TasksFailed = 1;

    /// <summary>Bad input: a missing or invalid job file, an unknown option, an unusable state directory.</summary>
    public const int InvalidInput = 2;

    /// <summary>Skein itself failed (a bug): EX_SOFTWARE from sysexits.</summary>
    public const int InternalError = 70;

    /// <summary>Interrupted by Ctrl+C (128 + SIGINT), as shells expect.</summary>
    public const int Interrupted = 130;
}
