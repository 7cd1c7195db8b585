namespace Skein.Cli.Output;

/// <summary>One task's output on its way to the view: cut into lines per attempt, each line passed on whole.</summary>
internal sealed class TaskOutputRouter(string taskId, ITaskOutputView view)
{
    private OutputLines? _lines;
    private int _attempt;

    public void AttemptStarted(int attempt)
    {
        if (_lines is not null && attempt == _attempt) return;
        _lines?.End();
        _attempt = attempt;
        _lines = new OutputLines(text => view.Line(taskId, attempt, text));
    }

    public void Write(int attempt, ReadOnlySpan<byte> bytes)
    {
        if (_lines is null || attempt != _attempt) AttemptStarted(attempt);
        _lines!.Write(bytes);
    }

    /// <summary>Everything was read (or following stopped): a last unfinished line is shown, and the view told.</summary>
    public void End()
    {
        _lines?.End();
        _lines = null;
        view.Ended(taskId);
    }
}

/// <summary>Shows the lines tasks print while a run goes.</summary>
internal interface ITaskOutputView
{
    /// <summary>False when only running tasks matter (a tail of each): a task that finished before it could be followed is skipped.</summary>
    bool ShowsFinishedTasks { get; }

    /// <summary>One whole line, bounded and with control characters escaped; called for a task from one thread at a time.</summary>
    void Line(string taskId, int attempt, string text);

    /// <summary>The task's output has all been shown.</summary>
    void Ended(string taskId);
}
