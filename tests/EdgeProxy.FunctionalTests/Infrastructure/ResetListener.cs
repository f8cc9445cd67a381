using System.Net;
using System.Net.Sockets;

namespace EdgeProxy.FunctionalTests.Infrastructure;

/// <summary>A listener that accepts, reads the request head and resets the connection (RST) before any response byte.</summary>
public sealed class ResetListener : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _connections;

    public ResetListener()
    {
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _loop = AcceptLoopAsync();
    }

    public Uri Address { get; }

    /// <summary>Connections accepted (each got a reset).</summary>
    public int Connections => Volatile.Read(ref _connections);

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                _ = ResetAfterHeadAsync(socket);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ResetAfterHeadAsync(Socket socket)
    {
        var buffer = new byte[8192];
        var seen = 0;
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(seen), SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    break;
                }

                seen += read;
                if (buffer.AsSpan(0, seen).IndexOf("\r\n\r\n"u8) >= 0 || seen == buffer.Length)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }
}
