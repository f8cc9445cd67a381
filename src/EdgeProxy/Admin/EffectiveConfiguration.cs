using System.Text.Json;

namespace EdgeProxy.Admin;

/// <summary>
/// The configuration the node runs with (all layers merged) as JSON, for <c>GET /admin/config</c>:
/// only EdgeProxy's sections (never the process environment), with secrets masked.
/// </summary>
internal static class EffectiveConfiguration
{
    public const string Mask = "***";

    private static readonly string[] Sections = ["Kestrel", "ReverseProxy", EdgeProxy.Configuration.EdgeProxyOptions.SectionName, "Serilog"];

    /// <summary>Key names whose values are secrets: the admin key, certificate passwords, tokens.</summary>
    public static bool IsSecret(string key) =>
        key.EndsWith("ApiKey", StringComparison.OrdinalIgnoreCase)
        || key.Contains("Password", StringComparison.OrdinalIgnoreCase)
        || key.Contains("Secret", StringComparison.OrdinalIgnoreCase)
        || key.Contains("Token", StringComparison.OrdinalIgnoreCase)
        || key.Equals("Headers", StringComparison.OrdinalIgnoreCase); // OTLP exporter headers carry credentials

    public static void Write(Utf8JsonWriter writer, IConfiguration configuration)
    {
        writer.WriteStartObject();
        foreach (var name in Sections)
        {
            var section = configuration.GetSection(name);
            if (section.Exists())
            {
                writer.WritePropertyName(name);
                WriteSection(writer, section);
            }
        }

        writer.WriteEndObject();
    }

    private static void WriteSection(Utf8JsonWriter writer, IConfigurationSection section)
    {
        if (IsSecret(section.Key) && (section.Value is not null || section.GetChildren().Any()))
        {
            writer.WriteStringValue(Mask);
            return;
        }

        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            writer.WriteStringValue(section.Value);
            return;
        }

        var isArray = children.Select((c, i) => c.Key == i.ToString(System.Globalization.CultureInfo.InvariantCulture)).All(static b => b);
        if (isArray)
        {
            writer.WriteStartArray();
            foreach (var child in children.OrderBy(static c => int.Parse(c.Key, System.Globalization.CultureInfo.InvariantCulture)))
            {
                WriteSection(writer, child);
            }

            writer.WriteEndArray();
            return;
        }

        writer.WriteStartObject();
        foreach (var child in children)
        {
            writer.WritePropertyName(child.Key);
            WriteSection(writer, child);
        }

        writer.WriteEndObject();
    }
}
