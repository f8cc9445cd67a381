using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace EdgeProxy.FunctionalTests.Infrastructure;

/// <summary>
/// A strict parser of the Prometheus text exposition format 0.0.4: it throws on anything the format
/// does not allow (bad names, bad escapes, samples before their TYPE, a second TYPE or HELP, a family
/// split into two groups, duplicate series, non-cumulative histogram buckets, +Inf != _count).
/// </summary>
public static partial class PrometheusText
{
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    public sealed class Family(string name)
    {
        public string Name { get; } = name;

        public string? Type { get; set; }

        public string? Help { get; set; }

        public List<Sample> Samples { get; } = [];
    }

    private static readonly HashSet<string> Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelName();

    [GeneratedRegex(@"^[+-]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|Inf|NaN)$")]
    private static partial Regex FloatValue();

    public static Dictionary<string, Family> Parse(string text)
    {
        if (text.Length > 0 && !text.EndsWith('\n'))
        {
            throw Fail(0, "the exposition must end with a line feed");
        }

        if (text.Contains('\r', StringComparison.Ordinal))
        {
            throw Fail(0, "carriage returns are not allowed");
        }

        var families = new Dictionary<string, Family>(StringComparer.Ordinal);
        var closed = new HashSet<string>(StringComparer.Ordinal);
        var series = new HashSet<string>(StringComparer.Ordinal);
        string? current = null;
        var lines = text.Split('\n');
        for (var n = 0; n < lines.Length - 1; n++)
        {
            var line = lines[n];
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith('#'))
            {
                var parts = line.Split(' ', 4);
                if (parts.Length >= 3 && parts[0] == "#" && (parts[1] == "HELP" || parts[1] == "TYPE"))
                {
                    var name = parts[2];
                    if (!MetricName().IsMatch(name))
                    {
                        throw Fail(n, $"bad metric name '{name}'");
                    }

                    var family = Enter(families, closed, ref current, name, n);
                    if (parts[1] == "TYPE")
                    {
                        if (family.Type is not null)
                        {
                            throw Fail(n, $"second TYPE line for {name}");
                        }

                        if (family.Samples.Count > 0)
                        {
                            throw Fail(n, $"TYPE for {name} after its samples");
                        }

                        if (parts.Length != 4 || !Types.Contains(parts[3]))
                        {
                            throw Fail(n, $"bad type in '{line}'");
                        }

                        family.Type = parts[3];
                    }
                    else
                    {
                        if (family.Help is not null)
                        {
                            throw Fail(n, $"second HELP line for {name}");
                        }

                        family.Help = Unescape(parts.Length == 4 ? parts[3] : string.Empty, allowQuote: false, n);
                    }
                }

                continue;
            }

            var sample = ParseSample(line, n);
            var familyName = FamilyOf(sample.Name, families);
            var owner = Enter(families, closed, ref current, familyName, n);
            if (owner.Type is null)
            {
                throw Fail(n, $"sample {sample.Name} before a TYPE line for {familyName}");
            }

            CheckSampleName(owner, sample, n);
            var key = sample.Name + "{" + string.Join(",", sample.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value)) + "}";
            if (!series.Add(key))
            {
                throw Fail(n, $"duplicate series {key}");
            }

            owner.Samples.Add(sample);
        }

        foreach (var family in families.Values)
        {
            if (family.Type == "histogram")
            {
                CheckHistogram(family);
            }
        }

        return families;
    }

    private static Family Enter(Dictionary<string, Family> families, HashSet<string> closed, ref string? current, string name, int n)
    {
        if (current != name)
        {
            if (closed.Contains(name))
            {
                throw Fail(n, $"family {name} appears in two separate groups");
            }

            if (current is not null)
            {
                closed.Add(current);
            }

            current = name;
        }

        if (!families.TryGetValue(name, out var family))
        {
            families[name] = family = new Family(name);
        }

        return family;
    }

    /// <summary>x_bucket, x_sum, x_count belong to histogram (or summary) x; everything else to its own name.</summary>
    private static string FamilyOf(string sampleName, Dictionary<string, Family> families)
    {
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (sampleName.EndsWith(suffix, StringComparison.Ordinal))
            {
                var baseName = sampleName[..^suffix.Length];
                if (families.TryGetValue(baseName, out var f) && f.Type is "histogram" or "summary")
                {
                    return baseName;
                }
            }
        }

        return sampleName;
    }

    private static void CheckSampleName(Family family, Sample sample, int n)
    {
        switch (family.Type)
        {
            case "histogram":
                if (sample.Name == family.Name + "_bucket")
                {
                    if (!sample.Labels.ContainsKey("le"))
                    {
                        throw Fail(n, $"{sample.Name} without an le label");
                    }
                }
                else if (sample.Name != family.Name + "_sum" && sample.Name != family.Name + "_count")
                {
                    throw Fail(n, $"{sample.Name} is not a sample name of histogram {family.Name}");
                }

                break;
            case "counter":
                if (sample.Value < 0 || double.IsNaN(sample.Value))
                {
                    throw Fail(n, $"counter {sample.Name} has value {sample.Value}");
                }

                break;
        }
    }

    private static void CheckHistogram(Family family)
    {
        foreach (var group in family.Samples.GroupBy(s => string.Join(",", s.Labels.Where(l => l.Key != "le").OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value))))
        {
            var buckets = group.Where(s => s.Name.EndsWith("_bucket", StringComparison.Ordinal))
                .Select(s => (Le: ParseFloat(s.Labels["le"]), s.Value)).ToList();
            for (var i = 1; i < buckets.Count; i++)
            {
                if (buckets[i].Le <= buckets[i - 1].Le)
                {
                    throw new FormatException($"{family.Name}{{{group.Key}}}: bucket bounds not increasing");
                }

                if (buckets[i].Value < buckets[i - 1].Value)
                {
                    throw new FormatException($"{family.Name}{{{group.Key}}}: bucket counts not cumulative");
                }
            }

            if (buckets.Count == 0 || !double.IsPositiveInfinity(buckets[^1].Le))
            {
                throw new FormatException($"{family.Name}{{{group.Key}}}: no +Inf bucket last");
            }

            var count = group.SingleOrDefault(s => s.Name == family.Name + "_count") ?? throw new FormatException($"{family.Name}{{{group.Key}}}: no _count");
            _ = group.SingleOrDefault(s => s.Name == family.Name + "_sum") ?? throw new FormatException($"{family.Name}{{{group.Key}}}: no _sum");
            if (count.Value != buckets[^1].Value)
            {
                throw new FormatException($"{family.Name}{{{group.Key}}}: +Inf bucket {buckets[^1].Value} != _count {count.Value}");
            }
        }
    }

    private static Sample ParseSample(string line, int n)
    {
        var i = 0;
        while (i < line.Length && line[i] != '{' && line[i] != ' ')
        {
            i++;
        }

        var name = line[..i];
        if (!MetricName().IsMatch(name))
        {
            throw Fail(n, $"bad metric name '{name}'");
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (true)
            {
                if (i < line.Length && line[i] == '}')
                {
                    i++;
                    break;
                }

                var eq = line.IndexOf('=', i);
                if (eq < 0)
                {
                    throw Fail(n, "label without '='");
                }

                var label = line[i..eq];
                if (!LabelName().IsMatch(label) || label.StartsWith("__", StringComparison.Ordinal))
                {
                    throw Fail(n, $"bad label name '{label}'");
                }

                i = eq + 1;
                if (i >= line.Length || line[i] != '"')
                {
                    throw Fail(n, "label value must be quoted");
                }

                var value = new StringBuilder();
                i++;
                while (true)
                {
                    if (i >= line.Length)
                    {
                        throw Fail(n, "unterminated label value");
                    }

                    var c = line[i++];
                    if (c == '"')
                    {
                        break;
                    }

                    if (c == '\\')
                    {
                        var e = i < line.Length ? line[i++] : throw Fail(n, "dangling backslash");
                        value.Append(e switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            _ => throw Fail(n, $"bad escape \\{e}"),
                        });
                    }
                    else
                    {
                        value.Append(c);
                    }
                }

                if (!labels.TryAdd(label, value.ToString()))
                {
                    throw Fail(n, $"label {label} twice");
                }

                if (i < line.Length && line[i] == ',')
                {
                    i++;
                }
                else if (i >= line.Length || line[i] != '}')
                {
                    throw Fail(n, "expected ',' or '}' after a label");
                }
            }
        }

        if (i >= line.Length || line[i] != ' ')
        {
            throw Fail(n, "expected a single space before the value");
        }

        var rest = line[(i + 1)..].Split(' ');
        if (rest.Length is < 1 or > 2 || !FloatValue().IsMatch(rest[0]))
        {
            throw Fail(n, $"bad value in '{line}'");
        }

        if (rest.Length == 2 && !long.TryParse(rest[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
        {
            throw Fail(n, $"bad timestamp in '{line}'");
        }

        if (labels.TryGetValue("le", out var le) && !FloatValue().IsMatch(le))
        {
            throw Fail(n, $"bad le value '{le}'");
        }

        return new Sample(name, labels, ParseFloat(rest[0]));
    }

    private static double ParseFloat(string text) => text switch
    {
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" or "+NaN" or "-NaN" => double.NaN,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private static string Unescape(string text, bool allowQuote, int n)
    {
        var result = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\')
            {
                result.Append(text[i]);
                continue;
            }

            var e = i + 1 < text.Length ? text[++i] : throw Fail(n, "dangling backslash");
            result.Append(e switch
            {
                '\\' => '\\',
                'n' => '\n',
                '"' when allowQuote => '"',
                _ => throw Fail(n, $"bad escape \\{e}"),
            });
        }

        return result.ToString();
    }

    private static FormatException Fail(int line, string message) => new($"line {line + 1}: {message}");
}
