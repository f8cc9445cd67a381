using System.Net;
using System.Net.Sockets;

namespace EdgeProxy.FunctionalTests.Infrastructure;

/// <summary>A bound, listening socket with backlog 0 that never accepts, its queue filled with one connection so further connects hang.</summary>
public sealed class FullAcceptQueueListener : IDisposable
{
    private readonly Socket _listener;
    private readonly List<Socket> _fillers = [];

    private FullAcceptQueueListener(Socket listener)
    {
        _listener = listener;
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndPoint!).Port}/");
    }

    public Uri Address { get; }

    internal static async Task<FullAcceptQueueListener> StartAsync()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0);
        var queue = new FullAcceptQueueListener(listener);
        // With backlog 0 Linux queues one established connection (it is full when queued > backlog);
        // once that one is queued, the kernel drops further SYNs (ListenOverflows), so connects hang.
        var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        queue._fillers.Add(filler);
        await filler.ConnectAsync(listener.LocalEndPoint!);
        return queue;
    }

    public void Dispose()
    {
        foreach (var filler in _fillers)
        {
            filler.Dispose();
        }

        _listener.Dispose();
    }
}
