namespace EdgeProxy.FunctionalTests.Infrastructure;

/// <summary>One HTTP/1.x head read off a raw socket: its start line (request or status line), fields and raw text.</summary>
public sealed record RawMessage(string StartLine, IReadOnlyList<KeyValuePair<string, string>> Fields, string RawHead)
{
    public string Method => StartLine.Split(' ')[0];

    public string Target => StartLine.Split(' ')[1];

    /// <summary>The status code of a status line.</summary>
    public int Status => int.Parse(StartLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);

    public string? Header(string name)
    {
        var values = Fields.Where(f => f.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(f => f.Value).ToList();
        return values.Count == 0 ? null : string.Join(", ", values);
    }
}
