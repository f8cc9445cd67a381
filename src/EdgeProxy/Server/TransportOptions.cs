namespace EdgeProxy.Server;

/// <summary>How Kestrel's connections buffer bytes: the <c>EdgeProxy:Transport</c> section.</summary>
public sealed class TransportOptions
{
    public const int MinBlockSize = 4096;
    public const int MaxBlockSize = 1024 * 1024;

    /// <summary>
    /// Size of the pinned blocks every connection's input and output pipes are made of (Kestrel's own pool
    /// uses 4 KiB). Larger blocks mean fewer copies into the pipe and fewer buffers per socket send for
    /// large bodies (a 100 KiB hit is 2 blocks instead of 26); the cost is memory per busy connection,
    /// since a connection that is reading or writing holds at least one block. Default 64 KiB; see
    /// docs/benchmarks.md for the measurement. 4096 gives Kestrel's layout back.
    /// </summary>
    public int BlockSize { get; set; } = 64 * 1024;

    /// <summary>
    /// Runs request processing on the sockets' I/O threads instead of handing every read and write completion to
    /// the thread pool: Kestrel's <c>UnsafePreferInlineScheduling</c>, and the runtime's inline socket completions
    /// (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>, set for the process at start unless the environment
    /// already sets it). Default on: fewer thread hops per request (see docs/benchmarks.md "Inline scheduling").
    /// The cost is that code which blocks stalls every connection on that I/O thread, so work that takes time in
    /// proportion to its input (storing a filled body, admin calls) moves to the thread pool first and logging
    /// never waits for its sink. Read at start-up.
    /// </summary>
    public bool InlineScheduling { get; set; } = true;

    /// <summary>
    /// With <see cref="InlineScheduling"/>, how many requests in a row one connection may have served on an I/O thread
    /// while other connections of that thread wait; its next request then waits until the thread has served another
    /// connection (<see cref="FairTurns"/>). Only a client that answers within microseconds, on the same machine, gets
    /// that far. On cleartext listeners with <see cref="ZeroCopy"/>, a response of 32 KiB or more starts the count over.
    /// 0 turns it off. Default 2 (docs/benchmarks.md "Taking turns on an I/O thread"). Read at start-up.
    /// </summary>
    public int FairTurnStreak { get; set; } = 2;

    /// <summary>
    /// On Linux, cleartext connections write their output straight to the socket instead of through Kestrel's output
    /// pipe and send loop, and cache hits on a stored body of at least <see cref="ZeroCopyMinBytes"/> go out over
    /// HTTP/1.x with <c>sendfile(2)</c> from a sealed memory file holding the body, without being copied into the
    /// process's buffers or the kernel's (docs/benchmarks.md "Zero-copy hits"). The first such hit moves the body into
    /// its file in the background (it is served by copying); bodies never hit again stay in the managed heap. Either way
    /// the same bytes, counted against the cache's limit. TLS listeners and HTTP/2 are not affected. Default on. Read
    /// at start-up.
    /// </summary>
    public bool ZeroCopy { get; set; } = true;

    /// <summary>
    /// With <see cref="ZeroCopy"/> (cleartext HTTP/1.1 on Linux), a request whose head is byte for byte one the cache has
    /// answered as a plain fresh hit before is answered again from the same entry, if it is still stored and fresh,
    /// before Kestrel parses it: no routing, no middleware, headers written from bytes made once per entry
    /// (<see cref="Caching.HitLane"/>; docs/benchmarks.md "The hit lane"). Any other request goes the ordinary way. The
    /// same response, metrics and access-log line. Default on. Read at start-up.
    /// </summary>
    public bool HitLane { get; set; } = true;

    /// <summary>The smallest stored body moved into a memory file and sent with <c>sendfile(2)</c> (default 64 KiB).</summary>
    public int ZeroCopyMinBytes { get; set; } = 64 * 1024;

    /// <summary>How often blocks no connection used since the last look are handed back to the GC (half of them each time).</summary>
    public TimeSpan TrimInterval { get; set; } = TimeSpan.FromSeconds(10);
}
