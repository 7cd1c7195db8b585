using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Skein.Yaml;

/// <summary>
/// Turns YAML text into its root mapping, reporting syntax errors with the position the parser gives. Every YAML
/// file Skein reads comes through here, so the <see cref="YamlLimits"/> hold for each of them
/// (files themselves are read by <see cref="YamlFileText"/>).
/// </summary>
public static class YamlDocumentReader
{
    /// <summary>The root mapping, or null when there is nothing to build a job from (the problem is reported).</summary>
    public static YamlMappingNode? ReadRoot(string text, ProblemCollector problems) => ReadRoot(text, problems, "job file", "'name' and 'tasks'");

    /// <summary>
    /// The root mapping of a YAML file of another kind (module.yaml): <paramref name="document"/> names the kind and
    /// <paramref name="required"/> the keys it needs at least, for the messages about an empty or misshapen file.
    /// </summary>
    public static YamlMappingNode? ReadRoot(string text, ProblemCollector problems, string document, string required)
    {
        if (text.Length > YamlLimits.MaxBytes)
        {
            problems.Error($"the {document} is longer than {YamlLimits.MaxBytes / (1024 * 1024)} Mi characters, the most Skein reads of a YAML file",
                new SourceLocation(problems.FileName, 1, 1));
            return null;
        }

        var stream = new YamlStream();
        var parser = new Parser(new StringReader(text));
        try
        {
            // The limit sits next to the parser, so not even the duplicate-key filter sees a level past it.
            stream.Load(new DuplicateKeyFilter(new NestingLimit(parser), problems));
        }
        catch (NestingLimit.TooDeepException ex)
        {
            problems.Error($"mappings and lists are nested deeper than {YamlLimits.MaxDepth} levels here; " +
                $"Skein reads at most {YamlLimits.MaxDepth} (is a bracket or an indentation wrong?)", problems.At(ex.Start));
            return null;
        }
        catch (YamlException ex)
        {
            problems.Error($"YAML syntax error: {ex.Message}", WhereTheSyntaxErrorIs(text, ex, problems));
            return null;
        }
        catch (ArgumentException) when (parser.Current is { } current)
        {
            // YamlDotNet's parser sends events the tree builder does not expect for some broken input, such as a
            // key left empty (": x"); the builder then throws this instead of a YamlException.
            problems.Error("YAML syntax error: the structure here cannot be read (is a key missing before a ':'?)", problems.At(current.Start));
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner fails this way when the file ends inside an unclosed flow collection.
            var lines = text.TrimEnd().Split('\n');
            problems.Error("YAML syntax error: the file ends inside an unclosed '{' or '['",
                new SourceLocation(problems.FileName, lines.Length, lines[^1].Length + 1));
            return null;
        }

        if (stream.Documents.Count == 0)
        {
            problems.Error($"the {document} is empty: it needs at least {required}", new SourceLocation(problems.FileName, 1, 1));
            return null;
        }
        if (stream.Documents.Count > 1)
        {
            // Reading on would silently ignore whatever the user put in the later documents.
            problems.Error($"a {document} holds one YAML document; remove the '---' and everything after it, or merge them",
                stream.Documents[1].RootNode);
        }

        var root = stream.Documents[0].RootNode;
        if (root is YamlMappingNode mapping) return mapping;
        problems.Error($"a {document} is a mapping with {required} at the top, not {NodeText.Describe(root)}", root);
        return null;
    }

    /// <summary>
    /// The parser's position, except for a tab in the indentation: the parser then points at the start of the
    /// enclosing mapping, often line 1, while the user needs to find the tab.
    /// </summary>
    private static SourceLocation WhereTheSyntaxErrorIs(string text, YamlException ex, ProblemCollector problems)
    {
        if (ex.Message.Contains("tab", StringComparison.OrdinalIgnoreCase))
        {
            var lines = text.Split('\n');
            for (var line = 0; line < lines.Length; line++)
            {
                var indent = lines[line].Length - lines[line].TrimStart(' ', '\t').Length;
                var tab = lines[line].IndexOf('\t', 0, indent);
                if (tab >= 0 && line + 1 >= ex.Start.Line) return new SourceLocation(problems.FileName, line + 1, tab + 1);
            }
        }
        return problems.At(ex.Start);
    }
}
