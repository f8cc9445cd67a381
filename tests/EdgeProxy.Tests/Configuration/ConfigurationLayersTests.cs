using EdgeProxy.Configuration;

namespace EdgeProxy.Tests.Configuration;

public sealed class ConfigurationLayersTests
{
    [Fact]
    public void ExtractConfigFile_SeparateValue_RemovesItFromArgs()
    {
        var (file, rest) = ConfigurationLayers.ExtractConfigFile(["--urls", "x", "--config", "a.json", "--EdgeProxy:NodeName=n"]);

        Assert.Equal("a.json", file);
        Assert.Equal(["--urls", "x", "--EdgeProxy:NodeName=n"], rest);
    }

    [Fact]
    public void ExtractConfigFile_EqualsForm_IsAccepted()
    {
        var (file, rest) = ConfigurationLayers.ExtractConfigFile(["--config=b.json"]);

        Assert.Equal("b.json", file);
        Assert.Empty(rest);
    }

    [Fact]
    public void ExtractConfigFile_MissingValue_IsAConfigurationError()
    {
        var ex = Assert.Throws<EdgeProxyConfigurationException>(() => ConfigurationLayers.ExtractConfigFile(["--config"]));
        Assert.Contains("--config", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResolveConfigFile_RelativePath_IsFoundFromAParentDirectory()
    {
        var root = Directory.CreateTempSubdirectory("edgeproxy-layers-");
        var original = Directory.GetCurrentDirectory();
        try
        {
            Directory.CreateDirectory(Path.Combine(root.FullName, "config", "examples"));
            var file = Path.Combine(root.FullName, "config", "examples", "x.json");
            File.WriteAllText(file, "{}");
            var nested = Directory.CreateDirectory(Path.Combine(root.FullName, "src", "EdgeProxy"));
            Directory.SetCurrentDirectory(nested.FullName);

            Assert.Equal(file, ConfigurationLayers.ResolveConfigFile(Path.Combine("config", "examples", "x.json")));
            Assert.Null(ConfigurationLayers.ResolveConfigFile("config/examples/missing.json"));
        }
        finally
        {
            Directory.SetCurrentDirectory(original);
            root.Delete(recursive: true);
        }
    }
}
