using System.Net;
using EdgeProxy.FunctionalTests.Infrastructure;

namespace EdgeProxy.FunctionalTests.Admin;

/// <summary>Purge against the real cache: the next request after a purge is a miss that reaches the origin.</summary>
public sealed class PurgeEndToEndTests : ProxiedOriginTest
{
    [Theory]
    [InlineData("url")]
    [InlineData("prefix")]
    [InlineData("method")]
    [InlineData("tag")]
    public async Task Purge_CachedObject_NextRequestIsAMiss(string how)
    {
        const string path = "/purge-e2e/a?size=100&cc=max-age%3D600&h.Surrogate-Key=release-42";
        await GetAsync(path);
        await GetAsync(path);
        Assert.Equal(1, Origin.Counters.For("/purge-e2e/a"));

        var absolute = new Uri(Proxy.ProxyAddress, path).ToString();
        using var purge = how switch
        {
            "url" => await Proxy.AdminClient.PostAsync("/admin/purge?url=" + Uri.EscapeDataString(absolute), null),
            "prefix" => await Proxy.AdminClient.PostAsync("/admin/purge?prefix=" + Uri.EscapeDataString(new Uri(Proxy.ProxyAddress, "/purge-e2e/").ToString()), null),
            "tag" => await Proxy.AdminClient.PostAsync("/admin/purge?tag=release-42", null),
            _ => await Proxy.Client.SendAsync(new HttpRequestMessage(new HttpMethod("PURGE"), path)),
        };
        Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        Assert.Contains("\"purged\":1", (await purge.Content.ReadAsStringAsync()).Replace(" ", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal), StringComparison.Ordinal);

        await GetAsync(path);
        Assert.Equal(2, Origin.Counters.For("/purge-e2e/a"));
    }

    private async Task GetAsync(string path)
    {
        using var response = await Proxy.Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await response.Content.ReadAsByteArrayAsync();
    }
}
