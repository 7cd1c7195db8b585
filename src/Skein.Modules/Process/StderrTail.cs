namespace Skein.Modules.Process;

/// <summary>The last lines a module wrote to stderr, for the message when it fails.</summary>
internal sealed class StderrTail
{
    private const int Lines = 10;
    private readonly Queue<string> _lines = new();

    public void Add(string line)
    {
        lock (_lines)
        {
            _lines.Enqueue(line);
            while (_lines.Count > Lines) _lines.Dequeue();
        }
    }

    public override string ToString()
    {
        lock (_lines) return _lines.Count == 0 ? "(nothing on stderr)" : string.Join(Environment.NewLine, _lines);
    }
}
