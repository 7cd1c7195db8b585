using System.Text;

namespace Skein.Pipelines;

/// <summary>Names as the pipeline shows them: <c>WallTime</c> → <c>wall-time</c>, <c>CSVWriter</c> → <c>csv-writer</c>.</summary>
internal static class KebabCase
{
    public static string Of(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                var startsWord = i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1])
                    || (i + 1 < name.Length && char.IsLower(name[i + 1]) && char.IsUpper(name[i - 1])));
                if (startsWord) builder.Append('-');
                builder.Append(char.ToLowerInvariant(c));
            }
            else builder.Append(c == '_' ? '-' : c);
        }
        return builder.ToString();
    }
}
