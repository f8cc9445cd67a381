using System.Text;
using EdgeProxy.Caching;

namespace EdgeProxy.Tests.Caching;

/// <summary>What the hit lane takes for a request's head: only a whole GET head whose every line ends in CRLF, within the limit.</summary>
public sealed class HitLaneTests
{
    [Fact]
    public void HeadLength_IsOnlyAGetsWholeHead_WithCrlfLines()
    {
        Assert.Equal(36, HitLane.HeadLength("GET /a HTTP/1.1\r\nHost: edge.test\r\n\r\nGET"u8));
        Assert.Equal(-1, HitLane.HeadLength("GET /a HTTP/1.1\r\nHost: edge.test\r\n"u8)); // not whole yet
        Assert.Equal(-1, HitLane.HeadLength("POST /a HTTP/1.1\r\nHost: edge.test\r\n\r\n"u8));
        Assert.Equal(-1, HitLane.HeadLength("GET http://edge.test/a HTTP/1.1\r\nHost: edge.test\r\n\r\n"u8)); // absolute form
        Assert.Equal(-1, HitLane.HeadLength("\r\nGET /a HTTP/1.1\r\nHost: edge.test\r\n\r\n"u8));

        // Kestrel may take the bare LFs as the end of the first head: the lane must not take both requests for one.
        Assert.Equal(-1, HitLane.HeadLength("GET /a HTTP/1.1\r\nHost: edge.test\n\nGET /b HTTP/1.1\r\n\r\n"u8));
        Assert.Equal(-1, HitLane.HeadLength("GET /a HTTP/1.1\nHost: edge.test\r\n\r\n"u8));

        var longest = "GET /a HTTP/1.1\r\nX: " + new string('x', HitLane.MaxHeadBytes - 24) + "\r\n\r\n";
        Assert.Equal(HitLane.MaxHeadBytes, HitLane.HeadLength(Encoding.ASCII.GetBytes(longest)));
        Assert.Equal(-1, HitLane.HeadLength(Encoding.ASCII.GetBytes(longest.Replace("X: ", "X: x", StringComparison.Ordinal))));
    }
}
