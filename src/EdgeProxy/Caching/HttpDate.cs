using System.Globalization;

namespace EdgeProxy.Caching;

/// <summary>
/// RFC 9110 5.6.7 HTTP-date: IMF-fixdate, and the obsolete RFC 850 and asctime forms a recipient must
/// accept, exactly (names case-insensitive). Anything else is invalid, so an invalid Expires makes a
/// response stale (RFC 9111 5.3) instead of being guessed at by a lenient parser.
/// </summary>
internal static class HttpDate
{
    /// <summary>The three forms after their day name (IMF-fixdate and RFC 850 after "day, ", asctime after "day "), which is checked on its own.</summary>
    private static readonly string[] CommaFormats = ["dd MMM yyyy HH':'mm':'ss 'GMT'", "dd'-'MMM'-'yy HH':'mm':'ss 'GMT'"];

    private static readonly string[] AsctimeFormats = ["MMM d HH':'mm':'ss yyyy", "MMM dd HH':'mm':'ss yyyy"];

    private static readonly string[] DayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

    private static readonly string[] LongDayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

    /// <summary>RFC 9110 5.6.7: a two-digit year more than 50 years in the future is in the past.</summary>
    private static readonly CultureInfo Culture = CreateCulture();

    private static CultureInfo CreateCulture()
    {
        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.DateTimeFormat.Calendar.TwoDigitYearMax = DateTime.UtcNow.Year + 50;
        return culture;
    }

    public static bool TryParse(string? value, out long utcTicks)
    {
        utcTicks = 0;
        if (string.IsNullOrEmpty(value) || value.Length > 64)
        {
            return false;
        }

        var text = value.Trim();
        if (text.Length < 24)
        {
            return false;
        }
        if (text.Contains("  ", StringComparison.Ordinal))
        {
            // asctime pads a one-digit day with a space: "Aug  8"; nowhere else is a double space allowed
            var asctime = text.Length == 24 && text[3] == ' ' && text[7] == ' ' && text[8] == ' ' && text.IndexOf("  ", 9, StringComparison.Ordinal) < 0;
            if (!asctime)
            {
                return false;
            }

            text = text.Remove(8, 1);
        }

        if (!text.EndsWith("GMT", StringComparison.OrdinalIgnoreCase) && !char.IsDigit(text[^1]))
        {
            return false;
        }

        text = text[..^3] + (text.EndsWith("GMT", StringComparison.OrdinalIgnoreCase) ? "GMT" : text[^3..]);

        // The day name must be one, but need not match the date (a wrong weekday is the sender's slip, and
        // lenient peers ignore it too); .NET's "ddd" would reject the whole date.
        var comma = text.IndexOf(',', StringComparison.Ordinal);
        var dayEnd = comma >= 0 ? comma : text.IndexOf(' ', StringComparison.Ordinal);
        var day = text[..dayEnd];
        var known = comma >= 0 && text.Length > comma + 1 && text[comma + 1] == ' '
            ? Array.Exists(DayNames, d => d.Equals(day, StringComparison.OrdinalIgnoreCase)) || Array.Exists(LongDayNames, d => d.Equals(day, StringComparison.OrdinalIgnoreCase))
            : comma < 0 && Array.Exists(DayNames, d => d.Equals(day, StringComparison.OrdinalIgnoreCase));
        if (!known)
        {
            return false;
        }

        text = text[(dayEnd + (comma >= 0 ? 2 : 1))..];
        if (DateTime.TryParseExact(text, comma >= 0 ? CommaFormats : AsctimeFormats, Culture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed))
        {
            utcTicks = parsed.Ticks;
            return true;
        }

        return false;
    }
}
