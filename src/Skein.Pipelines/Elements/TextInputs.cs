namespace Skein.Pipelines.Elements;

/// <summary>
/// An element that reads one text (port <c>text</c>) or a list of texts (port <c>texts</c>: the outputs of an
/// element with invocations, say); exactly one of the two is wired.
/// </summary>
public abstract class TextInputs : Element
{
    /// <summary>Most characters of one text a parser reads.</summary>
    public const int MaxTextLength = 64 * 1024 * 1024;

    /// <summary>Port <c>text</c> (optional): one text to read.</summary>
    [Input(Optional = true)] public string? Text { get; set; }

    /// <summary>Port <c>texts</c> (optional): several texts, read in order.</summary>
    [Input(Optional = true)] public IReadOnlyList<string>? Texts { get; set; }

    /// <summary>The texts to read, checked: one port given, each within <see cref="MaxTextLength"/>.</summary>
    protected IReadOnlyList<string> InputTexts(ElementContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (Text is not null && Texts is not null) throw new ElementFailedException(context.Element, "both text and texts are set: wire one of them");
        IReadOnlyList<string> texts = Text is not null ? [Text] : Texts ?? throw new ElementFailedException(context.Element, "neither text nor texts is set: wire one of them");
        for (var i = 0; i < texts.Count; i++)
        {
            if (texts[i] is null) throw new ElementFailedException(context.Element, $"{Where(i)} is null");
            if (texts[i].Length > MaxTextLength) throw new ElementFailedException(context.Element, $"{Where(i)} has {texts[i].Length} characters, more than {MaxTextLength}");
        }
        return texts;
    }

    /// <summary>"the text" or "text 3 of 5", for messages.</summary>
    protected string Where(int index) => Texts is null ? "the text" : $"text {index + 1} of {Texts.Count}";
}
