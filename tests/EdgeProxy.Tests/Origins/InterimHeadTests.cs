using System.Text;
using EdgeProxy.Origins;

namespace EdgeProxy.Tests.Origins;

public sealed class InterimHeadTests
{
    private static string? ForClient(int status, string head) =>
        InterimHead.ForClient(status, Encoding.Latin1.GetBytes(head)) is { } bytes ? Encoding.Latin1.GetString(bytes) : null;

    [Fact]
    public void ForClient_HopByHopFieldsAndThoseConnectionNames_Removed_OthersKeptInOrder() =>
        Assert.Equal(
            "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\nX-My-Header: a\r\nLink: </b.js>\r\n\r\n",
            ForClient(103, "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\nConnection: x-hop, close\r\nX-My-Header: a\r\nKeep-Alive: 5\r\n"
                + "X-Hop: secret\r\nTransfer-Encoding: chunked\r\nLink: </b.js>\r\n\r\n"));

    [Fact]
    public void ForClient_Http10StatusLineWithoutReason_BecomesHttp11WithTheStandardReason() =>
        Assert.Equal("HTTP/1.1 102 Processing\r\n\r\n", ForClient(102, "HTTP/1.0 102\n\n"));

    [Theory]
    [InlineData("HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n  ; rel=preload\r\n\r\n")] // obs-fold
    [InlineData("HTTP/1.1 103 Early Hints\r\nLink </a.css>\r\n\r\n")] // no colon
    [InlineData("HTTP/1.1 103 Early Hints\r\nLink: </a.css>\rX-Injected: 1\r\n\r\n")] // bare CR
    [InlineData("HTTP/1.1 103 Early Hints\r\nBad Name: x\r\n\r\n")]
    public void ForClient_MalformedHead_NotRelayed(string head) => Assert.Null(ForClient(103, head));

    [Fact]
    public void ForClient_ReasonWithControlCharacter_StandardReasonInstead() =>
        Assert.Equal("HTTP/1.1 103 Early Hints\r\n\r\n", ForClient(103, "HTTP/1.1 103 Hi\u0001\r\n\r\n"));
}
