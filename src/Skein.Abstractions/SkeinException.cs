namespace Skein;

/// <summary>A problem Skein reports to its user: the message names what is wrong and where, and is shown without a stack trace.</summary>
public class SkeinException : Exception
{
    public SkeinException(string message) : base(message) { }
    public SkeinException(string message, Exception inner) : base(message, inner) { }
}
