using System.Security.Cryptography.X509Certificates;
using EdgeProxy.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EdgeProxy.FunctionalTests.Infrastructure;

/// <summary>
/// A whole EdgeProxy (the same <see cref="EdgeProxyHost.Build"/> as Program.cs) on real loopback
/// sockets with ephemeral ports, configured by key/value overrides on top of config/appsettings.json.
/// </summary>
public sealed class ProxyInstance : IAsyncDisposable
{
    private ProxyInstance(WebApplication app, TestLogSink logs)
    {
        App = app;
        Logs = logs;
        var listeners = app.Services.GetRequiredService<EdgeProxyListeners>();
        ProxyAddress = listeners.ProxyAddresses[0];
        AdminAddress = listeners.AdminAddresses[0];
        Client = NewClient();
        AdminClient = new HttpClient { BaseAddress = AdminAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }

    public TestLogSink Logs { get; }

    public Uri ProxyAddress { get; }

    public Uri AdminAddress { get; }

    /// <summary>A client for the proxy listener (no automatic redirects or decompression).</summary>
    public HttpClient Client { get; }

    public HttpClient AdminClient { get; }

    /// <summary>A fresh client with its own connections to the proxy listener.</summary>
    public HttpClient NewClient() =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
        {
            BaseAddress = ProxyAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };

    public static async Task<ProxyInstance> StartAsync(IDictionary<string, string?> settings, Action<WebApplicationBuilder>? configure = null, string[]? args = null)
    {
        var logs = new TestLogSink();
        var merged = new Dictionary<string, string?>(ProxySettings.Base(), StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in settings)
        {
            merged[key] = value;
        }

        var app = EdgeProxyHost.Build(args ?? [], merged, builder =>
        {
            builder.Logging.AddProvider(logs);
            builder.Logging.SetMinimumLevel(LogLevel.Debug);
            configure?.Invoke(builder);
        });
        await app.StartAsync();
        return new ProxyInstance(app, logs);
    }

    /// <summary>
    /// Starts with the proxy listener on HTTPS (<paramref name="protocols"/>, Kestrel's names) presenting
    /// <paramref name="certificate"/>, given to Kestrel as a PFX file that exists only while the listener loads it.
    /// </summary>
    public static async Task<ProxyInstance> StartWithTlsAsync(
        IDictionary<string, string?> settings, X509Certificate2 certificate, string protocols = "Http1")
    {
        const string password = "pfx-password-for-test";
        var pfx = Path.Combine(Path.GetTempPath(), $"edgeproxy-test-{Guid.NewGuid():N}.pfx");
        await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pfx, password));
        try
        {
            return await StartAsync(new Dictionary<string, string?>(settings, StringComparer.OrdinalIgnoreCase)
            {
                ["Kestrel:Endpoints:Proxy:Url"] = "https://127.0.0.1:0",
                ["Kestrel:Endpoints:Proxy:Protocols"] = protocols,
                ["Kestrel:Endpoints:Proxy:Certificate:Path"] = pfx,
                ["Kestrel:Endpoints:Proxy:Certificate:Password"] = password,
            });
        }
        finally
        {
            File.Delete(pfx);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        AdminClient.Dispose();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await App.StopAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
        }

        await App.DisposeAsync();
    }
}
