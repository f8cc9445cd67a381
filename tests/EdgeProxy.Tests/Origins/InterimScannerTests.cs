using System.Text;
using EdgeProxy.Origins;

namespace EdgeProxy.Tests.Origins;

public sealed class InterimScannerTests : IDisposable
{
    private const string EarlyHints = "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n";
    private const string Final = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

    private readonly RecordingSink _sink = new();
    private readonly List<HeaderClock> _clocks = [];

    /// <summary>The flow's values are the test's own: none leaks into another test.</summary>
    public void Dispose()
    {
        HeaderClock.Current = null;
        InterimSink.Current = null;
        _clocks.ForEach(c => c.Dispose());
    }

    private HeaderClock NewClock()
    {
        var clock = new HeaderClock(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), waitForBody: false, TimeProvider.System);
        _clocks.Add(clock);
        return clock;
    }

    private InterimScanner NewExchange(InterimScanner? scanner = null, InterimSink? sink = null)
    {
        HeaderClock.Current = NewClock();
        InterimSink.Current = sink ?? _sink;
        scanner ??= new InterimScanner();
        scanner.OnRequestWritten(HeaderClock.Current);
        return scanner;
    }

    private static void Read(InterimScanner scanner, string text) => scanner.OnRead(Encoding.Latin1.GetBytes(text));

    [Fact]
    public void OnRead_103ThenFinal_Delivers103Once()
    {
        var scanner = NewExchange();
        Read(scanner, EarlyHints + Final);
        Assert.Equal([(103, EarlyHints)], _sink.Heads);
        Assert.False(scanner.ShouldScanRead());
    }

    [Fact]
    public void OnRead_HeadSplitAtEveryByte_DeliversTheSameHead()
    {
        var bytes = EarlyHints + "HTTP/1.1 102 Processing\r\n\r\n" + Final;
        for (var split = 1; split < bytes.Length; split++)
        {
            var sink = new RecordingSink();
            var scanner = NewExchange(sink: sink);
            Read(scanner, bytes[..split]);
            Assert.True(scanner.ShouldScanRead() || split >= bytes.Length - Final.Length + 10);
            Read(scanner, bytes[split..]);
            Assert.Equal([(103, EarlyHints), (102, "HTTP/1.1 102 Processing\r\n\r\n")], sink.Heads);
        }
    }

    [Fact]
    public void OnRead_OneByteAtATime_BareLfLineEnds_Delivered()
    {
        var scanner = NewExchange();
        foreach (var c in "HTTP/1.0 103 Early Hints\nLink: </a.css>\n\n" + Final)
        {
            Read(scanner, c.ToString());
        }

        Assert.Equal([(103, "HTTP/1.0 103 Early Hints\nLink: </a.css>\n\n")], _sink.Heads);
    }

    [Fact]
    public void OnRead_100Continue_IsNotDelivered_ALater103Is()
    {
        var scanner = NewExchange();
        Read(scanner, "HTTP/1.1 100 Continue\r\n\r\n" + EarlyHints + Final);
        Assert.Equal([(103, EarlyHints)], _sink.Heads);
    }

    [Fact]
    public void OnRead_101SwitchingProtocols_ConnectionNeverScannedAgain()
    {
        var scanner = NewExchange();
        Read(scanner, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n" + EarlyHints);
        NewExchange(scanner);
        Read(scanner, EarlyHints);
        Assert.Empty(_sink.Heads);
        Assert.False(scanner.ShouldScanRead());
    }

    [Fact]
    public void OnRead_NotHttp1_ConnectionNeverScannedAgain()
    {
        var scanner = NewExchange();
        Read(scanner, "\0\0\x12\x04\0\0\0\0\0");
        NewExchange(scanner);
        Assert.False(scanner.ShouldScanRead());
        Read(scanner, EarlyHints);
        Assert.Empty(_sink.Heads);
    }

    [Fact]
    public void OnRead_FinalResponseWhoseBodyLooksLikeA103_NothingDelivered()
    {
        var scanner = NewExchange();
        Read(scanner, "HTTP/1.1 200 OK\r\nContent-Length: 56\r\n\r\n");
        Assert.False(scanner.ShouldScanRead());
        Read(scanner, EarlyHints);
        Assert.Empty(_sink.Heads);
    }

    [Fact]
    public void OnRequestWritten_TheSameRequestsBodyWrites_DoNotRestartTheScan()
    {
        var scanner = NewExchange();
        Read(scanner, "HTTP/1.1 200 OK\r\nContent-Length: 56\r\n\r\n");
        scanner.OnRequestWritten(HeaderClock.Current); // more of the same request (its body), same header clock
        Assert.False(scanner.ShouldScanRead());
        Read(scanner, EarlyHints);
        Assert.Empty(_sink.Heads);
    }

    [Fact]
    public void OnRead_HeadLargerThanTheCap_NotDelivered_NextRequestScannedAgain()
    {
        var scanner = NewExchange();
        Read(scanner, "HTTP/1.1 103 Early Hints\r\nLink: " + new string('x', InterimScanner.MaxHeadBytes) + "\r\n\r\n" + Final);
        Assert.Empty(_sink.Heads);
        NewExchange(scanner);
        Read(scanner, EarlyHints + Final);
        Assert.Single(_sink.Heads);
    }

    [Fact]
    public void OnRequestWritten_NoSink_ReadsAreNotScanned()
    {
        HeaderClock.Current = NewClock();
        InterimSink.Current = null;
        var scanner = new InterimScanner();
        scanner.OnRequestWritten(HeaderClock.Current);
        Assert.False(scanner.ShouldScanRead());
    }

    [Fact]
    public void ShouldScanRead_ReadAheadIssuedByTheNextRequestBeforeItsWrite_IsScanned()
    {
        var scanner = NewExchange();
        Read(scanner, Final);
        Assert.False(scanner.ShouldScanRead()); // the first response's body

        // A pooled connection's read-ahead: issued on the next request's flow before that request is written.
        HeaderClock.Current = NewClock();
        Assert.True(scanner.ShouldScanRead());
        scanner.OnRequestWritten(HeaderClock.Current);
        Read(scanner, EarlyHints + Final);
        Assert.Equal([(103, EarlyHints)], _sink.Heads);
    }

    private sealed class RecordingSink : InterimSink
    {
        public List<(int Status, string Head)> Heads { get; } = [];

        public override void OnInterim(int status, ReadOnlySpan<byte> head) => Heads.Add((status, Encoding.Latin1.GetString(head)));
    }
}
