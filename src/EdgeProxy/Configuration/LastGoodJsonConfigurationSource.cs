using Microsoft.Extensions.Configuration.Json;

namespace EdgeProxy.Configuration;

/// <summary>
/// A JSON file layer that, when a changed file does not parse, keeps the values it had and reports the
/// failure to <see cref="Failures"/> (the stock provider would drop the file's values, or throw on the
/// file watcher's thread). The first load still throws, so a broken file stops start-up.
/// </summary>
internal sealed class LastGoodJsonConfigurationSource : JsonConfigurationSource
{
    public ConfigurationLoadFailures Failures { get; init; } = new();

    public override IConfigurationProvider Build(IConfigurationBuilder builder)
    {
        EnsureDefaults(builder);
        return new Provider(this);
    }

    private sealed class Provider(LastGoodJsonConfigurationSource source) : JsonConfigurationProvider(source)
    {
        private bool _loaded;

        public override void Load(Stream stream)
        {
            try
            {
                base.Load(stream);
                _loaded = true;
            }
            catch (Exception ex) when (_loaded && ex is FormatException or InvalidDataException or System.Text.Json.JsonException)
            {
                source.Failures.Report($"{source.Path}: {ex.Message}");
            }
        }
    }
}
