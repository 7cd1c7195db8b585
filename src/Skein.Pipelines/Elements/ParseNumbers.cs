using System.Globalization;
using System.Text.RegularExpressions;

namespace Skein.Pipelines.Elements;

/// <summary>
/// Reads numbers out of text with a regular expression: the group named <c>value</c> if the pattern has one, else
/// group 1, else the whole match. Each text gives its first match, or every match with <see cref="AllMatches"/>; a
/// text with no match fails the element, naming it and quoting the text.
/// </summary>
/// <example><code>new ParseNumbers(@"time: (?&lt;value&gt;[0-9.]+) ms")</code></example>
public sealed class ParseNumbers : TextInputs
{
    /// <param name="pattern">A .NET regular expression; its <c>value</c> group (or group 1) is the number, in invariant culture.</param>
    public ParseNumbers(string pattern)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        Pattern = new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.Multiline, TimeSpan.FromSeconds(10));
    }

    public Regex Pattern { get; }

    /// <summary>Every match of each text, in order, instead of the first one only.</summary>
    public bool AllMatches { get; init; }

    /// <summary>Port <c>values</c>: the numbers, in the order of the texts (and of the matches in each).</summary>
    [Output] public IReadOnlyList<double> Values { get; private set; } = [];

    public override ValueTask RunAsync(ElementContext context, CancellationToken cancellationToken)
    {
        var texts = InputTexts(context);
        var group = Pattern.GroupNumberFromName("value") is var named and >= 0 ? named : Pattern.GetGroupNumbers().Length > 1 ? 1 : 0;
        var values = new List<double>(texts.Count);
        for (var i = 0; i < texts.Count; i++)
        {
            try
            {
                Read(context, texts, i, group, values);
            }
            catch (RegexMatchTimeoutException)
            {
                throw new ElementFailedException(context.Element, $"/{Pattern}/ took longer than {(int)Pattern.MatchTimeout.TotalSeconds} s on {Where(i)}: simplify the pattern");
            }
        }
        Values = values;
        return ValueTask.CompletedTask;
    }

    private void Read(ElementContext context, IReadOnlyList<string> texts, int i, int group, List<double> values)
    {
        var matches = 0;
        for (var match = Pattern.Match(texts[i]); match.Success; match = match.NextMatch())
        {
            var captured = match.Groups[group].Value;
            if (!double.TryParse(captured, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                throw new ElementFailedException(context.Element, $"/{Pattern}/ matched \"{captured}\" in {Where(i)}, which is not a number");
            values.Add(value);
            matches++;
            if (!AllMatches) break;
        }
        if (matches == 0) throw new ElementFailedException(context.Element, $"/{Pattern}/ does not match {Where(i)}: {Snippet.Of(texts[i])}");
    }
}
