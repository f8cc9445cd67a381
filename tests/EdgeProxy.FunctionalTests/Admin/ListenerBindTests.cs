using System.Net;
using System.Net.Sockets;
using EdgeProxy.FunctionalTests.Infrastructure;

namespace EdgeProxy.FunctionalTests.Admin;

/// <summary>The real process when a listener's port is already taken.</summary>
public sealed class ListenerBindTests
{
    [Fact]
    public async Task Start_AdminPortTaken_ExitsThreeWithOneLineNamingTheAddress()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var (exitCode, _, stderr) = await EdgeProxyProcess.RunToExitAsync(
            ["--Kestrel:Endpoints:Proxy:Url=http://127.0.0.1:0", $"--Kestrel:Endpoints:Admin:Url=http://127.0.0.1:{port}"]);

        Assert.Equal(3, exitCode);
        Assert.Contains($"listeners: Failed to bind to address http://127.0.0.1:{port}: address already in use.", stderr, StringComparison.Ordinal);
    }
}
