using System.Buffers;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace EdgeProxy.Server;

/// <summary>
/// Connection middleware for cleartext listeners: replaces the connection's output with a <see cref="SocketOutput"/>
/// and offers it as <see cref="IZeroCopyOutput"/>. Connections without a socket (tests' in-memory transports) are left
/// as they are. On TLS listeners it is not installed: the bytes on the socket are not the bytes written.
/// </summary>
internal static class DirectSendConnections
{
    public static Func<ConnectionDelegate, ConnectionDelegate> Middleware(TransportOptions transport, ZeroCopyStatistics? statistics) => next => async connection =>
    {
        if (connection.Features.Get<IConnectionSocketFeature>()?.Socket is not { } socket)
        {
            await next(connection);
            return;
        }

        var connectionTransport = connection.Transport;
        var output = new SocketOutput(socket, connectionTransport.Output, connection.Features.Get<IMemoryPoolFeature>()?.MemoryPool ?? MemoryPool<byte>.Shared, transport, statistics);
        connection.Features.Set<IZeroCopyOutput>(output);
        connection.Transport = new DuplexPipe(connectionTransport.Input, output);
        try
        {
            await next(connection);
        }
        finally
        {
            // Kestrel completes the transport it made, not ours: what was not sent goes to it first.
            output.Detach();
            connection.Transport = connectionTransport;
        }
    };
}
