using System.Text;
using Microsoft.Extensions.Primitives;

namespace EdgeProxy.Caching;

/// <summary>
/// Vary (RFC 9111 4.1): the request header names a response varies on, and the normalised values a
/// request has for them (whitespace collapsed around commas, lower case for headers whose values
/// are case-insensitive, an absent header distinct from an empty one).
/// </summary>
internal static class VaryKey
{
    private static readonly string[] Star = ["*"];

    /// <summary>Lower-case header names of the response's Vary field(s); <c>["*"]</c> for Vary: *; empty when none.</summary>
    public static string[] Names(StringValues vary)
    {
        if (vary.Count == 0)
        {
            return [];
        }

        var names = new List<string>();
        foreach (var value in vary)
        {
            if (value is null)
            {
                continue;
            }

            foreach (var raw in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (raw == "*")
                {
                    return Star;
                }

                var name = raw.ToLowerInvariant();
                if (!names.Contains(name))
                {
                    names.Add(name);
                }
            }
        }

        names.Sort(StringComparer.Ordinal);
        return [.. names];
    }

    public static bool IsStar(string[] names) => names.Length == 1 && names[0] == "*";

    public static string Compute(string[] names, IHeaderDictionary requestHeaders)
    {
        if (names.Length == 0)
        {
            return "";
        }

        var sb = new StringBuilder();
        foreach (var name in names)
        {
            sb.Append(name).Append(':');
            if (!requestHeaders.TryGetValue(name, out var values) || values.Count == 0)
            {
                sb.Append('\0');
            }
            else
            {
                AppendNormalised(sb, values, CaseInsensitive(name));
            }

            sb.Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>Whether <paramref name="requestHeaders"/> select the variant stored under <paramref name="varyKey"/>.</summary>
    public static bool Matches(string[] names, string varyKey, IHeaderDictionary requestHeaders) =>
        names.Length == 0 || string.Equals(Compute(names, requestHeaders), varyKey, StringComparison.Ordinal);

    private static void AppendNormalised(StringBuilder sb, StringValues values, bool list)
    {
        var items = new List<string>();
        foreach (var value in values)
        {
            if (value is null)
            {
                continue;
            }

            foreach (var item in value.Split(',', StringSplitOptions.TrimEntries))
            {
                var collapsed = CollapseWhitespace(item);
                items.Add(list ? collapsed.ToLowerInvariant() : collapsed);
            }
        }

        if (list)
        {
            items.Sort(StringComparer.Ordinal); // Accept-* lists: members with their weights, order not significant
        }

        sb.AppendJoin(',', items);
    }

    private static string CollapseWhitespace(string item)
    {
        if (item.IndexOfAny([' ', '\t']) < 0)
        {
            return item;
        }

        var sb = new StringBuilder(item.Length);
        var space = false;
        foreach (var c in item)
        {
            if (c is ' ' or '\t')
            {
                space = true;
                continue;
            }

            if (space && sb.Length > 0 && c != ';' && c != '=' && sb[^1] != ';' && sb[^1] != '=')
            {
                sb.Append(' ');
            }

            space = false;
            sb.Append(c);
        }

        return sb.ToString();
    }

    private static bool CaseInsensitive(string name) =>
        name is "accept-encoding" or "accept-language" or "accept-charset" or "accept";
}
