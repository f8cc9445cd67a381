using EdgeProxy.FunctionalTests.Infrastructure;

namespace EdgeProxy.FunctionalTests.Observability;

public sealed class AccessLogTests : ProxiedOriginTest
{
    [Fact]
    public async Task Request_WritesOneLineWithEveryField()
    {
        using var response = await Proxy.Client.GetAsync("/logged/a?size=321&status=201");

        var line = await Proxy.Logs.WaitForAccessLogAsync("/logged/a");
        Assert.Equal("127.0.0.1", line.Property("Client"));
        Assert.Equal("GET", line.Property("Method"));
        Assert.Equal("/logged/a?size=321&status=201", line.Property("Url"));
        Assert.Equal(201, line.Property("Status"));
        Assert.Equal(321L, line.Property("Bytes"));
        Assert.IsType<double>(line.Property("DurationMs"));
        Assert.Equal(Origin.BaseAddress.ToString(), line.Property("Origin"));
        Assert.Equal("MISS", line.Property("CacheResult")); // a 201 without freshness: the caching layer forwarded it
        Assert.Equal("-", line.Property("Failure"));
        Assert.IsType<DateTimeOffset>(line.Property("Time"));
    }
}
