namespace Greeter;

/// <summary>An enum of the module's own, for the codec tests.</summary>
public enum Mood
{
    Calm,
    Cheerful = 7,
}
