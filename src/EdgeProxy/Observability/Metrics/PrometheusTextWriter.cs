using System.Globalization;
using System.Text;

namespace EdgeProxy.Observability.Metrics;

/// <summary>
/// Renders aggregates in the Prometheus text exposition format 0.0.4: one <c># HELP</c> and one
/// <c># TYPE</c> line per family before its samples, names sanitised to <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>
/// (dots become underscores), a unit suffix (<c>_seconds</c>, <c>_bytes</c>), <c>_total</c> on counters,
/// label values escaped, histograms as cumulative <c>_bucket{le=...}</c> series ending in <c>+Inf</c>.
/// </summary>
internal static class PrometheusTextWriter
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Write(IEnumerable<InstrumentAggregator> instruments)
    {
        var families = new SortedDictionary<string, List<InstrumentAggregator>>(StringComparer.Ordinal);
        foreach (var aggregator in instruments)
        {
            var name = FamilyName(aggregator.Instrument.Name, aggregator.Instrument.Unit, aggregator.Kind);
            if (!families.TryGetValue(name, out var list))
            {
                families[name] = list = [];
            }

            // Two instruments with the same exposed name merge only when they aggregate alike.
            if (list.Count == 0 || TypeOf(list[0].Kind) == TypeOf(aggregator.Kind))
            {
                list.Add(aggregator);
            }
        }

        var text = new StringBuilder(4096);
        foreach (var (name, members) in families)
        {
            var series = members
                .SelectMany(static m => m.Snapshot().Select(s => (Aggregator: m, s.Tags, s.Value)))
                .OrderBy(static s => LabelText(s.Tags.Tags, null), StringComparer.Ordinal)
                .ToList();
            if (series.Count == 0)
            {
                continue;
            }

            var first = members[0];
            text.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(first.Instrument.Description ?? first.Instrument.Name)).Append('\n');
            text.Append("# TYPE ").Append(name).Append(' ').Append(TypeOf(first.Kind)).Append('\n');
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (aggregator, tags, value) in series)
            {
                var labels = LabelText(tags.Tags, null);
                if (!seen.Add(labels))
                {
                    continue; // the same series from a second instrument of that name: first wins
                }

                if (aggregator.Kind == MetricKind.Histogram)
                {
                    WriteHistogram(text, name, aggregator.Buckets, tags, value);
                }
                else
                {
                    text.Append(name).Append(labels).Append(' ').Append(FormatValue(value.Value)).Append('\n');
                }
            }
        }

        return text.ToString();
    }

    private static void WriteHistogram(StringBuilder text, string name, double[] bounds, TagSet tags, InstrumentAggregator.SeriesValue value)
    {
        long cumulative = 0;
        for (var i = 0; i < bounds.Length; i++)
        {
            cumulative += value.BucketCounts[i];
            text.Append(name).Append("_bucket").Append(LabelText(tags.Tags, FormatValue(bounds[i])))
                .Append(' ').Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        cumulative += value.BucketCounts[^1];
        text.Append(name).Append("_bucket").Append(LabelText(tags.Tags, "+Inf")).Append(' ').Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
        var labels = LabelText(tags.Tags, null);
        text.Append(name).Append("_sum").Append(labels).Append(' ').Append(FormatValue(value.Sum)).Append('\n');
        text.Append(name).Append("_count").Append(labels).Append(' ').Append(value.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    public static string TypeOf(MetricKind kind) => kind switch
    {
        MetricKind.Counter or MetricKind.ObservedCounter => "counter",
        MetricKind.Histogram => "histogram",
        _ => "gauge",
    };

    /// <summary><c>edgeproxy.cache.fills</c> (counter) → <c>edgeproxy_cache_fills_total</c>.</summary>
    public static string FamilyName(string instrumentName, string? unit, MetricKind kind)
    {
        var name = Sanitize(instrumentName, allowColon: true);
        var suffix = unit switch
        {
            "s" => "_seconds",
            "ms" => "_milliseconds",
            "By" => "_bytes",
            _ => null,
        };
        if (suffix is not null && !name.EndsWith(suffix, StringComparison.Ordinal))
        {
            name += suffix;
        }

        if (kind is MetricKind.Counter or MetricKind.ObservedCounter && !name.EndsWith("_total", StringComparison.Ordinal))
        {
            name += "_total";
        }

        return name;
    }

    public static string FormatValue(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsPositiveInfinity(value))
        {
            return "+Inf";
        }

        if (double.IsNegativeInfinity(value))
        {
            return "-Inf";
        }

        return value == Math.Floor(value) && Math.Abs(value) < 1e15
            ? ((long)value).ToString(CultureInfo.InvariantCulture)
            : value.ToString("R", CultureInfo.InvariantCulture);
    }

    private static string LabelText(KeyValuePair<string, string>[] tags, string? le)
    {
        if (tags.Length == 0 && le is null)
        {
            return string.Empty;
        }

        var text = new StringBuilder("{");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in tags)
        {
            var label = Sanitize(key, allowColon: false);
            if (label.StartsWith("__", StringComparison.Ordinal))
            {
                label = "tag" + label; // names starting with __ are reserved
            }

            if ((le is not null && label == "le") || !names.Add(label))
            {
                continue;
            }

            if (names.Count > 1)
            {
                text.Append(',');
            }

            text.Append(label).Append("=\"").Append(EscapeLabelValue(value)).Append('"');
        }

        if (le is not null)
        {
            if (names.Count > 0)
            {
                text.Append(',');
            }

            text.Append("le=\"").Append(le).Append('"');
        }

        return text.Append('}').ToString();
    }

    private static string Sanitize(string name, bool allowColon)
    {
        var chars = new StringBuilder(name.Length + 1);
        foreach (var c in name)
        {
            var ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' || (allowColon && c == ':');
            chars.Append(ok ? c : '_');
        }

        if (chars.Length == 0 || char.IsAsciiDigit(chars[0]))
        {
            chars.Insert(0, '_');
        }

        return chars.ToString();
    }

    private static string EscapeLabelValue(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string EscapeHelp(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
