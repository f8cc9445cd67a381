using Microsoft.Extensions.Primitives;

namespace EdgeProxy.Caching;

internal sealed partial class CacheControl
{
    /// <summary>
    /// RFC 9213: <c>CDN-Cache-Control</c> is a Structured Field dictionary (RFC 8941). A field that is
    /// not a valid dictionary is ignored as a whole (null: fall back to Cache-Control); a delta
    /// directive whose value is not an integer is ignored.
    /// </summary>
    public static CacheControl? ParseStructured(StringValues values)
    {
        var field = values.Count == 1 ? values[0] ?? "" : string.Join(", ", values.ToArray());
        var result = new CacheControl { Present = true };
        var i = 0;
        SkipSpaces(field, ref i);
        while (i < field.Length)
        {
            if (!TryKey(field, ref i, out var key))
            {
                return null;
            }

            string? argument = null;
            var isInteger = false;
            if (i < field.Length && field[i] == '=')
            {
                i++;
                if (!TryBareItem(field, ref i, out argument, out isInteger))
                {
                    return null;
                }
            }

            while (i < field.Length && field[i] == ';')
            {
                i++;
                SkipSpaces(field, ref i);
                if (!TryKey(field, ref i, out _))
                {
                    return null;
                }

                if (i < field.Length && field[i] == '=')
                {
                    i++;
                    if (!TryBareItem(field, ref i, out _, out _))
                    {
                        return null;
                    }
                }
            }

            var isDelta = key is "max-age" or "s-maxage" or "stale-while-revalidate" or "stale-if-error";
            if (!isDelta || (isInteger && !argument!.StartsWith('-')))
            {
                result.Apply(key, argument is "?1" or "?0" ? null : argument);
            }

            SkipSpaces(field, ref i);
            if (i == field.Length)
            {
                break;
            }

            if (field[i] != ',')
            {
                return null;
            }

            i++;
            SkipSpaces(field, ref i);
            if (i == field.Length)
            {
                return null; // trailing comma
            }
        }

        return result;
    }

    private static void SkipSpaces(string field, ref int i)
    {
        while (i < field.Length && (field[i] == ' ' || field[i] == '\t'))
        {
            i++;
        }
    }

    private static bool TryKey(string field, ref int i, out string key)
    {
        var start = i;
        if (i >= field.Length || !(field[i] is (>= 'a' and <= 'z') or '*'))
        {
            key = "";
            return false;
        }

        i++;
        while (i < field.Length && field[i] is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-' or '.' or '*')
        {
            i++;
        }

        key = field[start..i];
        return true;
    }

    private static bool TryBareItem(string field, ref int i, out string? value, out bool isInteger)
    {
        isInteger = false;
        value = null;
        if (i >= field.Length)
        {
            return false;
        }

        var start = i;
        var c = field[i];
        if (c == '-' || c is >= '0' and <= '9')
        {
            i++;
            var digits = 0;
            var dot = false;
            while (i < field.Length && (field[i] is >= '0' and <= '9' || (field[i] == '.' && !dot)))
            {
                dot |= field[i] == '.';
                digits++;
                i++;
            }

            isInteger = !dot && digits is > 0 and <= 15;
            value = field[start..i];
            return value != "-";
        }

        if (c == '"')
        {
            i++;
            while (i < field.Length && field[i] != '"')
            {
                if (field[i] == '\\')
                {
                    i++;
                }
                else if (field[i] is < ' ' or > '~')
                {
                    return false;
                }

                i++;
            }

            if (i >= field.Length)
            {
                return false;
            }

            i++;
            value = field[(start + 1)..(i - 1)];
            return true;
        }

        if (c == '?')
        {
            if (i + 1 < field.Length && field[i + 1] is '0' or '1')
            {
                value = field.Substring(i, 2);
                i += 2;
                return true;
            }

            return false;
        }

        if (c == ':')
        {
            var end = field.IndexOf(':', i + 1);
            if (end < 0)
            {
                return false;
            }

            value = field[(i + 1)..end];
            i = end + 1;
            return true;
        }

        if (c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '*')
        {
            i++;
            while (i < field.Length && field[i] > ' ' && field[i] < 0x7F && field[i] is not (',' or ';' or '"' or '(' or ')' or '<' or '>' or '@' or '[' or '\\' or ']' or '?' or '=' or '{' or '}'))
            {
                i++;
            }

            value = field[start..i];
            return true;
        }

        return false;
    }
}
