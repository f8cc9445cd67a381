using System.Net;
using System.Net.Sockets;

namespace EdgeProxy.FunctionalTests.Infrastructure;

/// <summary>
/// A loopback port that refuses connections and stays ours: the socket is bound but never listens,
/// so a connect gets a reset (refused), and no other process can take the port meanwhile (unlike
/// <see cref="NetworkFaults.ClosedPort"/>, which releases the port and can race with another binder).
/// </summary>
public sealed class RefusingPort : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public RefusingPort()
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_socket.LocalEndPoint!).Port}/");
    }

    public Uri Address { get; }

    public void Dispose() => _socket.Dispose();
}
