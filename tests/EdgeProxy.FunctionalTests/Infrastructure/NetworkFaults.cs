using System.Net;
using System.Net.Sockets;

namespace EdgeProxy.FunctionalTests.Infrastructure;

/// <summary>Origins that fail at the network level, for refused, silent and connect-timeout cases.</summary>
public static class NetworkFaults
{
    /// <summary>A loopback port with nothing listening: connections are refused.</summary>
    public static Uri ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/");
    }

    /// <summary>
    /// A listener whose accept queue is full: it never accepts, and its backlog has been filled with
    /// connections first, so the kernel drops further SYNs and a connect to it times out.
    /// </summary>
    public static Task<FullAcceptQueueListener> FullAcceptQueueAsync() => FullAcceptQueueListener.StartAsync();
}

/// <summary>A listener that accepts connections and reads, but never answers: the silent origin.</summary>
public sealed class SilentListener : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _accepted = [];
    private readonly Task _loop;
    private int _connections;

    public SilentListener()
    {
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _loop = AcceptLoopAsync();
    }

    public Uri Address { get; }

    public int Connections => Volatile.Read(ref _connections);

    private readonly TaskCompletionSource _firstBytes = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when some request bytes have arrived.</summary>
    public Task WhenRequestReceived => _firstBytes.Task;

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                lock (_accepted)
                {
                    _accepted.Add(socket);
                }

                _ = DrainAsync(socket);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }
    }

    private async Task DrainAsync(Socket socket)
    {
        var buffer = new byte[4096];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token) > 0)
            {
                _firstBytes.TrySetResult();
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_accepted)
        {
            foreach (var socket in _accepted)
            {
                socket.Dispose();
            }
        }

        await _loop;
        _stop.Dispose();
    }
}
