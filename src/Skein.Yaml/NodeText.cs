using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Skein.Yaml;

/// <summary>How YAML nodes read in messages and how empty values are recognised.</summary>
public static class NodeText
{
    /// <summary>What a node is, as an error message puts it: "'many'", "a list", "a mapping".</summary>
    public static string Describe(YamlNode node) => node switch
    {
        YamlScalarNode scalar when IsNull(scalar) => "empty",
        YamlScalarNode scalar => $"'{scalar.Value}'",
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        _ => "an alias",
    };

    /// <summary>A key with no value (<c>run:</c>), or one written as <c>~</c> or <c>null</c>.</summary>
    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" or "Null" or "NULL" };
}
