namespace Skein.Pipelines.Elements;

/// <summary>A shipped element could not do its work with the values it was given; the message names the element and the problem.</summary>
public sealed class ElementFailedException : Exception
{
    public ElementFailedException(string element, string message)
        : base($"{element}: {message}")
    {
        Element = element;
    }

    public ElementFailedException(string element, string message, Exception innerException)
        : base($"{element}: {message}", innerException)
    {
        Element = element;
    }

    /// <summary>The element's name in its pipeline.</summary>
    public string Element { get; }
}
