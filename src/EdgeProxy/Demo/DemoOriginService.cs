using EdgeProxy.Configuration;
using EdgeProxy.TestOrigin;
using Microsoft.Extensions.Options;

namespace EdgeProxy.Demo;

/// <summary>
/// Starts the repository's test origin in-process when <c>EdgeProxy:DemoOrigin:Enabled</c> is true
/// (the Development configuration), so the first <c>dotnet run</c> proxies something real.
/// </summary>
internal sealed partial class DemoOriginService : IHostedService, IAsyncDisposable
{
    private static readonly string[] Names = ["primary", "secondary"];

    private readonly IOptions<EdgeProxyOptions> _options;
    private readonly ILogger<DemoOriginService> _logger;
    private readonly List<TestOriginServer> _servers = [];

    public DemoOriginService(IOptions<EdgeProxyOptions> options, ILogger<DemoOriginService> logger)
    {
        _options = options;
        _logger = logger;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var demo = _options.Value.DemoOrigin;
        if (!demo.Enabled)
        {
            return;
        }

        for (var i = 0; i < demo.Ports.Count; i++)
        {
            var name = i < Names.Length ? Names[i] : $"origin{i + 1}";
            var server = await TestOriginServer.StartAsync(new TestOriginOptions { Port = demo.Ports[i], Name = name }, cancellationToken);
            _servers.Add(server);
            Started(_logger, name, server.BaseAddress);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        _servers.Clear();
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);

    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "Demo origin {Name} listening on {Address}")]
    private static partial void Started(ILogger logger, string name, Uri address);
}
