namespace EdgeProxy.Observability.Metrics;

/// <summary>A measurement's tags, copied and sorted by name: the key of one time series.</summary>
internal sealed class TagSet : IEquatable<TagSet>
{
    public static readonly TagSet Empty = new([]);

    private readonly int _hash;

    private TagSet(KeyValuePair<string, string>[] tags)
    {
        Tags = tags;
        var hash = new HashCode();
        foreach (var (key, value) in tags)
        {
            hash.Add(key, StringComparer.Ordinal);
            hash.Add(value, StringComparer.Ordinal);
        }

        _hash = hash.ToHashCode();
    }

    public KeyValuePair<string, string>[] Tags { get; }

    public static TagSet From(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return Empty;
        }

        var copy = new KeyValuePair<string, string>[tags.Length];
        for (var i = 0; i < tags.Length; i++)
        {
            copy[i] = new(tags[i].Key, Convert.ToString(tags[i].Value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty);
        }

        if (copy.Length > 1)
        {
            Array.Sort(copy, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        }

        return new TagSet(copy);
    }

    public bool Equals(TagSet? other)
    {
        if (other is null || other._hash != _hash || other.Tags.Length != Tags.Length)
        {
            return false;
        }

        for (var i = 0; i < Tags.Length; i++)
        {
            if (!string.Equals(Tags[i].Key, other.Tags[i].Key, StringComparison.Ordinal) ||
                !string.Equals(Tags[i].Value, other.Tags[i].Value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => obj is TagSet other && Equals(other);

    public override int GetHashCode() => _hash;
}
