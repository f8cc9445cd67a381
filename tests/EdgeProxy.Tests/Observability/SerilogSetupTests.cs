using EdgeProxy.Observability;
using Microsoft.Extensions.Configuration;
using Serilog;
using Serilog.Settings.Configuration;

namespace EdgeProxy.Tests.Observability;

public sealed class SerilogSetupTests
{
    [Fact]
    public void BehindAsyncSink_MovesEverySinkUnderOneAsyncSink_AndKeepsTheRest()
    {
        var configuration = Build(new()
        {
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["Serilog:WriteTo:0:Name"] = "Console",
            ["Serilog:WriteTo:0:Args:outputTemplate"] = "{Message}",
            ["Serilog:WriteTo:1:Name"] = "Console",
            ["Kestrel:Endpoints:Proxy:Url"] = "http://127.0.0.1:1",
        });

        var wrapped = SerilogSetup.BehindAsyncSink(configuration);

        Assert.Equal("Async", wrapped["Serilog:WriteTo:0:Name"]);
        Assert.Equal("Console", wrapped["Serilog:WriteTo:0:Args:configure:0:Name"]);
        Assert.Equal("{Message}", wrapped["Serilog:WriteTo:0:Args:configure:0:Args:outputTemplate"]);
        Assert.Equal("Console", wrapped["Serilog:WriteTo:0:Args:configure:1:Name"]);
        Assert.Single(wrapped.GetSection("Serilog:WriteTo").GetChildren());
        Assert.Equal("Warning", wrapped["Serilog:MinimumLevel:Default"]);
        Assert.Null(wrapped["Kestrel:Endpoints:Proxy:Url"]); // only the Serilog section is read from it

        // Serilog accepts what it is given: the Async sink with the console inside.
        using var logger = new LoggerConfiguration()
            .ReadFrom.Configuration(wrapped, new ConfigurationReaderOptions(typeof(ConsoleLoggerConfigurationExtensions).Assembly, typeof(LoggerConfigurationAsyncExtensions).Assembly))
            .CreateLogger();
        Assert.False(logger.IsEnabled(Serilog.Events.LogEventLevel.Information));
        Assert.True(logger.IsEnabled(Serilog.Events.LogEventLevel.Warning));
    }

    [Fact]
    public void BehindAsyncSink_FollowsTheSourceWhenItReloads()
    {
        var source = (IConfigurationRoot)Build(new()
        {
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["Serilog:WriteTo:0:Name"] = "Console",
        });
        var wrapped = SerilogSetup.BehindAsyncSink(source);
        var reloaded = false;
        wrapped.GetReloadToken().RegisterChangeCallback(_ => reloaded = true, null);

        source["Serilog:MinimumLevel:Default"] = "Debug";
        source.Reload();

        Assert.True(reloaded);
        Assert.Equal("Debug", wrapped["Serilog:MinimumLevel:Default"]);
        Assert.Equal("Console", wrapped["Serilog:WriteTo:0:Args:configure:0:Name"]);
    }

    [Fact]
    public void BehindAsyncSink_AnAsyncSinkAlreadyConfigured_IsLeftAsItIs()
    {
        var configuration = Build(new()
        {
            ["Serilog:WriteTo:0:Name"] = "Async",
            ["Serilog:WriteTo:0:Args:configure:0:Name"] = "Console",
        });

        Assert.Same(configuration, SerilogSetup.BehindAsyncSink(configuration));
    }

    [Fact]
    public void BehindAsyncSink_NoSinks_IsLeftAsItIs()
    {
        var configuration = Build(new() { ["Serilog:MinimumLevel:Default"] = "Debug" });

        Assert.Same(configuration, SerilogSetup.BehindAsyncSink(configuration));
    }

    private static IConfiguration Build(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
