using EdgeProxy.Caching;

namespace EdgeProxy.Server;

/// <summary>
/// A connection feature present when the connection's output goes straight to its socket (<see cref="SocketOutput"/>):
/// a response body can then be sent from a stored body's memory file without being copied.
/// </summary>
internal interface IZeroCopyOutput
{
    /// <summary>
    /// Reserves the next <paramref name="count"/> bytes written to the connection for the range of
    /// <paramref name="body"/> at <paramref name="offset"/>: the caller then advances the response's body writer by
    /// exactly <paramref name="count"/> bytes without filling them, and on flush the range goes out with sendfile(2) in
    /// their place. Only for an HTTP/1.x response with Content-Length framing whose headers have been written.
    /// </summary>
    void SendFile(FileBackedBody body, long offset, int count);

    /// <summary>The smallest stored body worth a memory file on this connection (<c>EdgeProxy:Transport:ZeroCopyMinBytes</c>).</summary>
    int MinBytes { get; }

    /// <summary>Bytes flushed to the socket since the connection began, headers and bodies (<see cref="FairInput"/> reads it).</summary>
    long BytesFlushed { get; }
}
