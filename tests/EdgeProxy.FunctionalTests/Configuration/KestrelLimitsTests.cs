using EdgeProxy.FunctionalTests.Infrastructure;
using EdgeProxy.TestOrigin;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EdgeProxy.FunctionalTests.Configuration;

/// <summary><c>Kestrel:Limits</c> in the configuration reach Kestrel (its own loader reads only endpoints and certificates).</summary>
public sealed class KestrelLimitsTests : IAsyncLifetime
{
    private TestOriginServer _origin = null!;

    public async Task InitializeAsync() => _origin = await TestOriginServer.StartAsync(new TestOriginOptions { Name = "primary" });

    public async Task DisposeAsync() => await _origin.DisposeAsync();

    [Fact]
    public async Task LimitsFromConfiguration_AreKestrels()
    {
        var settings = ProxySettings.TwoOrigins(_origin.BaseAddress)
            .With("Kestrel:Limits:MaxRequestBodySize", "1000")
            .With("Kestrel:Limits:KeepAliveTimeout", "00:00:07");
        await using var proxy = await ProxyInstance.StartAsync(settings);
        Assert.Equal(TimeSpan.FromSeconds(7), proxy.App.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits.KeepAliveTimeout);

        using var small = await proxy.Client.PostAsync("/limits/small?echo=1", new ByteArrayContent(new byte[1000]));
        Assert.Equal(200, (int)small.StatusCode);

        using var large = await proxy.NewClient().PostAsync("/limits/large?echo=1", new ByteArrayContent(new byte[1001]));
        Assert.Equal(413, (int)large.StatusCode);
    }
}
