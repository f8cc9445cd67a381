using Microsoft.Extensions.Primitives;

namespace EdgeProxy.Caching;

/// <summary>
/// The directives of one <c>Cache-Control</c> (or <c>CDN-Cache-Control</c>, <c>Surrogate-Control</c>) field,
/// request or response side (RFC 9111 5.2). Parsed directive by directive so one malformed directive
/// does not hide the others; the first occurrence of a repeated directive wins (RFC 9111 4.2.1), and
/// a delta-seconds that is not a number counts as 0 ("treat invalid freshness as stale").
/// </summary>
internal sealed partial class CacheControl
{
    public static readonly CacheControl Empty = new();

    public bool Present { get; private set; }

    public bool NoStore { get; private set; }

    /// <summary>Unqualified <c>no-cache</c>: use only after revalidation.</summary>
    public bool NoCache { get; private set; }

    /// <summary>Field names of a qualified <c>no-cache="a, b"</c>.</summary>
    public string[]? NoCacheFields { get; private set; }

    /// <summary>Unqualified <c>private</c>: a shared cache must not store.</summary>
    public bool Private { get; private set; }

    /// <summary>Field names of a qualified <c>private="a"</c>: stored without them.</summary>
    public string[]? PrivateFields { get; private set; }

    public bool Public { get; private set; }

    public bool MustRevalidate { get; private set; }

    public bool ProxyRevalidate { get; private set; }

    public bool MustUnderstand { get; private set; }

    public bool OnlyIfCached { get; private set; }

    public TimeSpan? MaxAge { get; private set; }

    public TimeSpan? SharedMaxAge { get; private set; }

    /// <summary>Request <c>max-stale</c>; <see cref="TimeSpan.MaxValue"/> when given without a value.</summary>
    public TimeSpan? MaxStale { get; private set; }

    public TimeSpan? MinFresh { get; private set; }

    public TimeSpan? StaleWhileRevalidate { get; private set; }

    public TimeSpan? StaleIfError { get; private set; }

    public static CacheControl Parse(StringValues values)
    {
        if (values.Count == 0)
        {
            return Empty;
        }

        var result = new CacheControl { Present = true };
        foreach (var value in values)
        {
            if (!string.IsNullOrEmpty(value))
            {
                result.ParseField(value);
            }
        }

        return result;
    }

    private void ParseField(string field)
    {
        var i = 0;
        while (i < field.Length)
        {
            while (i < field.Length && (field[i] == ',' || field[i] == ' ' || field[i] == '\t'))
            {
                i++;
            }

            var nameStart = i;
            while (i < field.Length && field[i] != '=' && field[i] != ',' && field[i] != ' ' && field[i] != '\t' && field[i] != ';')
            {
                i++;
            }

            var name = field.AsSpan(nameStart, i - nameStart);
            var valid = true;
            var afterName = i;
            while (i < field.Length && (field[i] == ' ' || field[i] == '\t'))
            {
                i++;
            }

            string? argument = null;
            if (i < field.Length && field[i] == '=')
            {
                valid = i == afterName; // "max-age =100" is not a max-age directive (RFC 9110 5.6.2: no space around "=")
                i++;
                valid &= i < field.Length && field[i] != ' ' && field[i] != '\t';
                while (i < field.Length && (field[i] == ' ' || field[i] == '\t'))
                {
                    i++;
                }

                argument = ReadArgument(field, ref i);
            }

            while (i < field.Length && field[i] != ',')
            {
                i++; // ignore junk up to the next directive
            }

            if (name.Length > 0 && valid)
            {
                Apply(name, argument);
            }
        }
    }

    private static string ReadArgument(string field, ref int i)
    {
        if (i < field.Length && field[i] == '"')
        {
            var sb = new System.Text.StringBuilder();
            i++;
            while (i < field.Length && field[i] != '"')
            {
                if (field[i] == '\\' && i + 1 < field.Length)
                {
                    i++;
                }

                sb.Append(field[i]);
                i++;
            }

            i++;
            return sb.ToString();
        }

        var start = i;
        while (i < field.Length && field[i] != ',' && field[i] != ' ' && field[i] != '\t' && field[i] != ';')
        {
            i++;
        }

        return field[start..i];
    }

    private void Apply(ReadOnlySpan<char> name, string? argument)
    {
        if (Is(name, "no-store"))
        {
            NoStore = true;
        }
        else if (Is(name, "no-cache"))
        {
            if (argument is { Length: > 0 })
            {
                NoCacheFields ??= Fields(argument);
            }
            else
            {
                NoCache = true;
            }
        }
        else if (Is(name, "private"))
        {
            if (argument is { Length: > 0 })
            {
                PrivateFields ??= Fields(argument);
            }
            else
            {
                Private = true;
            }
        }
        else if (Is(name, "public"))
        {
            Public = true;
        }
        else if (Is(name, "must-revalidate"))
        {
            MustRevalidate = true;
        }
        else if (Is(name, "proxy-revalidate"))
        {
            ProxyRevalidate = true;
        }
        else if (Is(name, "must-understand"))
        {
            MustUnderstand = true;
        }
        else if (Is(name, "only-if-cached"))
        {
            OnlyIfCached = true;
        }
        else if (Is(name, "max-age"))
        {
            MaxAge ??= Delta(argument);
        }
        else if (Is(name, "s-maxage"))
        {
            SharedMaxAge ??= Delta(argument);
        }
        else if (Is(name, "max-stale"))
        {
            MaxStale ??= argument is null ? TimeSpan.MaxValue : Delta(argument);
        }
        else if (Is(name, "min-fresh"))
        {
            MinFresh ??= Delta(argument);
        }
        else if (Is(name, "stale-while-revalidate"))
        {
            StaleWhileRevalidate ??= Delta(argument);
        }
        else if (Is(name, "stale-if-error"))
        {
            StaleIfError ??= Delta(argument);
        }
    }

    private static bool Is(ReadOnlySpan<char> name, string directive) => name.Equals(directive, StringComparison.OrdinalIgnoreCase);

    private static string[] Fields(string argument) =>
        argument.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>RFC 9111 1.2.2: digits only; too large is 2^31; anything else 0 (stale).</summary>
    internal static TimeSpan Delta(string? argument)
    {
        if (string.IsNullOrEmpty(argument))
        {
            return TimeSpan.Zero;
        }

        long seconds = 0;
        foreach (var c in argument)
        {
            if (c is < '0' or > '9')
            {
                return TimeSpan.Zero;
            }

            seconds = Math.Min((seconds * 10) + (c - '0'), 2147483648L);
        }

        return TimeSpan.FromSeconds(seconds);
    }
}
