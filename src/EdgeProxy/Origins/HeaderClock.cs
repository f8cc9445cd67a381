namespace EdgeProxy.Origins;

/// <summary>
/// The response-header deadline of one origin request. It starts when the request has been written to
/// a connection (for a request with a body: when the whole body has been sent), so connect time is the
/// connect timeout's business, not the header timeout's. Until then a safety net of
/// <c>ConnectTimeout + ResponseHeaderTimeout</c> from the start applies (it also bounds requests whose
/// writes cannot be observed, e.g. on an HTTP/2 connection's own writer loop).
/// </summary>
internal sealed class HeaderClock : IDisposable
{
    // The clock of the origin request being sent in this async flow; the connection stream reads it on
    // each write (HTTP/1.1 writes a request on the request's own flow).
    private static readonly AsyncLocal<HeaderClock?> CurrentClock = new();

    private readonly CancellationTokenSource _timer;
    private readonly TimeProvider _time;
    private readonly TimeSpan _headerTimeout;
    private readonly long _latest;
    private int _state; // 0 waiting for the request to be written, 1 running, 2 stopped

    public HeaderClock(TimeSpan connectTimeout, TimeSpan headerTimeout, bool waitForBody, TimeProvider time)
    {
        _time = time;
        _headerTimeout = headerTimeout;
        WaitForBody = waitForBody;
        var safetyNet = connectTimeout + headerTimeout;
        _latest = time.GetTimestamp() + (long)(safetyNet.TotalSeconds * time.TimestampFrequency);
        _timer = new CancellationTokenSource(safetyNet, time);
    }

    public static HeaderClock? Current
    {
        get => CurrentClock.Value;
        set => CurrentClock.Value = value;
    }

    /// <summary>Cancelled when the deadline passes.</summary>
    public CancellationToken Token => _timer.Token;

    public bool Fired => _timer.IsCancellationRequested;

    /// <summary>The request has a body: the clock starts when the body has been sent, not on the first write.</summary>
    public bool WaitForBody { get; }

    /// <summary>Request bytes went to the connection (called by the connection stream).</summary>
    public void OnRequestWritten()
    {
        if (!WaitForBody)
        {
            Start();
        }
    }

    /// <summary>The request body has been sent completely.</summary>
    public void OnBodySent() => Start();

    private void Start()
    {
        if (Volatile.Read(ref _state) == 2)
        {
            return;
        }

        Volatile.Write(ref _state, 1);
        var remaining = TimeSpan.FromSeconds((_latest - _time.GetTimestamp()) / (double)_time.TimestampFrequency);
        var due = remaining < _headerTimeout ? remaining : _headerTimeout;
        try
        {
            _timer.CancelAfter(due > TimeSpan.Zero ? due : TimeSpan.Zero);
        }
        catch (ObjectDisposedException)
        {
            // A write after the request finished (a connection outliving this request's flow).
        }
    }

    public void Dispose()
    {
        Volatile.Write(ref _state, 2);
        _timer.Dispose();
    }
}
