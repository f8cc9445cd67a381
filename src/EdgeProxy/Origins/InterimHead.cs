using System.Buffers;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace EdgeProxy.Origins;

/// <summary>
/// Turns an origin's raw interim (1xx) head into the bytes a client is sent: an <c>HTTP/1.1</c> status line (the
/// origin's reason phrase, or the standard one) and the origin's fields minus the hop-by-hop ones (RFC 9110 7.6.1:
/// Connection and the fields it names, Keep-Alive, Proxy-Connection, TE, Trailer, Transfer-Encoding, Upgrade; and
/// Content-Length, which a 1xx cannot have). A head with an obsolete line fold, a field line that is not
/// <c>name: value</c> or a control character is not relayed at all (null).
/// </summary>
internal static class InterimHead
{
    private static readonly SearchValues<byte> TokenChars = SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    private static readonly string[] HopByHop = ["Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Content-Length"];

    public static byte[]? ForClient(int status, ReadOnlySpan<byte> head)
    {
        var lineEnd = head.IndexOf((byte)'\n');
        if (lineEnd < 0)
        {
            return null;
        }

        var statusLine = TrimCr(head[..lineEnd]);
        var reason = statusLine.Length > 13 ? statusLine[13..] : default;
        if (reason.IsEmpty || !IsFieldText(reason))
        {
            reason = status == 103 ? "Early Hints"u8 : Encoding.ASCII.GetBytes(ReasonPhrases.GetReasonPhrase(status)); // empty is valid too
        }

        var fields = head[(lineEnd + 1)..];
        var connectionOptions = ConnectionOptions(fields);
        if (connectionOptions is null)
        {
            return null;
        }

        var output = new ArrayBufferWriter<byte>(head.Length + 16);
        output.Write("HTTP/1.1 "u8);
        output.Write(Encoding.ASCII.GetBytes(status.ToString(CultureInfo.InvariantCulture)));
        output.Write(" "u8);
        output.Write(reason);
        output.Write("\r\n"u8);
        foreach (var range in fields.Split((byte)'\n'))
        {
            var line = TrimCr(fields[range]);
            if (line.IsEmpty)
            {
                break;
            }

            var name = Encoding.ASCII.GetString(line[..line.IndexOf((byte)':')]);
            if (Array.Exists(HopByHop, h => h.Equals(name, StringComparison.OrdinalIgnoreCase))
                || connectionOptions.Exists(o => o.Equals(name, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            output.Write(line);
            output.Write("\r\n"u8);
        }

        output.Write("\r\n"u8);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Validates every field line; returns the field names the Connection field lists, or null for a head not to relay.</summary>
    private static List<string>? ConnectionOptions(ReadOnlySpan<byte> fields)
    {
        var options = new List<string>();
        foreach (var range in fields.Split((byte)'\n'))
        {
            var line = TrimCr(fields[range]);
            if (line.IsEmpty)
            {
                break;
            }

            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || line[..colon].ContainsAnyExcept(TokenChars) || !IsFieldText(line[(colon + 1)..]))
            {
                return null; // includes an obs-fold line (it starts with SP or HTAB, not a token)
            }

            if (Ascii.EqualsIgnoreCase(line[..colon], "Connection"u8))
            {
                foreach (var option in Encoding.ASCII.GetString(line[(colon + 1)..]).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    options.Add(option);
                }
            }
        }

        return options;
    }

    /// <summary>SP, HTAB, visible ASCII and obs-text: no CR, LF, NUL or other controls (no way to split the client's response).</summary>
    private static bool IsFieldText(ReadOnlySpan<byte> value)
    {
        foreach (var b in value)
        {
            if ((b < 0x20 && b != (byte)'\t') || b == 0x7F)
            {
                return false;
            }
        }

        return true;
    }

    private static ReadOnlySpan<byte> TrimCr(ReadOnlySpan<byte> line) => line.Length > 0 && line[^1] == (byte)'\r' ? line[..^1] : line;
}
