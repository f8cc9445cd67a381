// Measurement spike, not product code (docs/benchmarks.md "Zero-copy hits"; the product's version is Server/SocketOutput): a bare Kestrel app on
// 127.0.0.1:19300 serving one random 100 KiB body. /copy writes it through Kestrel's pipe; /zc reserves it as a memfd range,
// advances Kestrel's body writer without copying, and a connection middleware's writer sends headers and body on the socket.
//   cd bench/spikes/zero-copy-hit && dotnet build -c Release
//   DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 INLINE=1 DIRECT=1 MORE=1 setsid dotnet bin/Release/net10.0/zero-copy-hit.dll &
//   then wrk -t2 -c64 -d5s http://127.0.0.1:19300/zc (SIZE=bytes sets the body, default 102400)
// INLINE=1: Kestrel's inline scheduling; without the runtime's switch above socket completions still go through the thread
// pool (the first measurements in docs/benchmarks.md were taken that way; EdgeProxy sets both).
// DIRECT=1: sendfile(2) called on the socket (async only for what it does not take), else Socket.SendPacketsAsync. MORE=1: the headers go with MSG_MORE so they share the body's first segment.
using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

var body = new byte[int.TryParse(Environment.GetEnvironmentVariable("SIZE"), out var size) ? size : 102400]; Random.Shared.NextBytes(body);
int fd = Native.memfd_create("body", 0);
using (var h = new Microsoft.Win32.SafeHandles.SafeFileHandle((IntPtr)fd, ownsHandle: false)) RandomAccess.Write(h, body, 0);
var fs = new FileStream($"/proc/self/fd/{fd}", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.Asynchronous);

var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();
var inline = Environment.GetEnvironmentVariable("INLINE") == "1";
builder.Services.Configure<SocketTransportOptions>(o => o.UnsafePreferInlineScheduling = inline);
builder.WebHost.ConfigureKestrel(k => k.ListenLocalhost(19300, lo => lo.Use(next => async conn =>
{
    var socket = conn.Features.Get<IConnectionSocketFeature>()?.Socket;
    if (socket is null) { await next(conn); return; }
    var original = conn.Transport;
    var writer = new DirectSocketWriter(socket, original.Output);
    conn.Features.Set<IZeroCopy>(writer);
    conn.Transport = new Duplex(original.Input, writer);
    try { await next(conn); } finally { conn.Transport = original; }
})));
var app = builder.Build();
app.Run(async ctx =>
{
    ctx.Response.ContentLength = body.Length;
    ctx.Response.ContentType = "application/octet-stream";
    var zc = ctx.Features.Get<IZeroCopy>();
    if (ctx.Request.Path == "/zc" && zc is not null)
    {
        await ctx.Response.StartAsync();
        zc.Reserve(fs, 0, body.Length);
        var w = ctx.Response.BodyWriter;
        var left = body.Length;
        while (left > 0) { var m = w.GetMemory(Math.Min(left, 65536)); var n = Math.Min(left, m.Length); w.Advance(n); left -= n; }
        await w.FlushAsync();
        return;
    }
    await ctx.Response.BodyWriter.WriteAsync(body);
});
app.Run();

interface IZeroCopy { void Reserve(FileStream file, long offset, int count); }

sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe { public PipeReader Input => input; public PipeWriter Output => output; }

/// Spike: sends bytes written to it straight on the socket; reserved ranges go out with sendfile instead of their placeholder bytes.
sealed class DirectSocketWriter(Socket socket, PipeWriter inner) : PipeWriter, IZeroCopy
{
    private readonly Queue<(byte[]? Buf, int Len, FileStream? File, long Off, int Count)> _queue = new();
    private byte[]? _current; private int _used;
    private static readonly byte[] Scratch = new byte[65536];
    private FileStream? _rFile; private long _rOff; private int _rLeft, _rTotal;
    private readonly SocketAsyncEventArgs _packets = new();
    private TaskCompletionSource? _tcs;
    private readonly List<ArraySegment<byte>> _segs = new();
    private static readonly bool Direct = Environment.GetEnvironmentVariable("DIRECT") == "1";
    private static readonly bool More = Environment.GetEnvironmentVariable("MORE") == "1";

    private unsafe int SendMore(ArraySegment<byte> seg)
    {
        fixed (byte* b = seg.Array) { return (int)Math.Max(0, Native.send((int)socket.SafeHandle.DangerousGetHandle(), b + seg.Offset, seg.Count, 0x8000)); }
    }

    public void Reserve(FileStream file, long offset, int count) { Seal(); _rFile = file; _rOff = offset; _rLeft = count; _rTotal = count; }

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        if (_rLeft > 0) return Scratch;
        if (_current is null || _current.Length - _used < Math.Max(sizeHint, 1)) { Seal(); _current = ArrayPool<byte>.Shared.Rent(Math.Max(sizeHint, 16384)); _used = 0; }
        return _current.AsMemory(_used);
    }
    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
    public override void Advance(int bytes)
    {
        if (_rLeft > 0) { _rLeft -= bytes; if (_rLeft == 0) { _queue.Enqueue((null, 0, _rFile, _rOff, _rTotal)); _rFile = null; } return; }
        _used += bytes;
    }
    private void Seal() { if (_current is not null && _used > 0) { _queue.Enqueue((_current, _used, null, 0, 0)); _current = null; _used = 0; } }
    public override void CancelPendingFlush() { }
    public override void Complete(Exception? exception = null) { try { FlushAsync().AsTask().GetAwaiter().GetResult(); } catch { } inner.Complete(exception); }
    public override async ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        Seal();
        while (_queue.Count > 0)
        {
            _segs.Clear();
            while (_queue.Count > 0 && _queue.Peek().Buf is not null) { var b = _queue.Dequeue(); _segs.Add(new ArraySegment<byte>(b.Buf!, 0, b.Len)); }
            if (_segs.Count > 0)
            {
                // MORE=1: headers followed by a file range go out with MSG_MORE, so the kernel puts them in the body's first segment.
                var sent = More && _segs.Count == 1 && _queue.Count > 0 && _queue.Peek().File is not null ? SendMore(_segs[0]) : 0;
                if (sent == 0) await socket.SendAsync(_segs, SocketFlags.None);
                else if (sent < _segs[0].Count) await socket.SendAsync(_segs[0].AsMemory(sent), SocketFlags.None);
                foreach (var s in _segs) ArrayPool<byte>.Shared.Return(s.Array!);
            }
            if (_queue.Count > 0 && _queue.Peek().File is not null)
            {
                var f = _queue.Dequeue();
                if (Direct)
                {
                    // sendfile(2) right here on the non-blocking socket; only what the socket does not take goes the async way.
                    long off = f.Off; var left = (long)f.Count;
                    while (left > 0)
                    {
                        var n = Native.sendfile((int)socket.SafeHandle.DangerousGetHandle(), (int)f.File!.SafeFileHandle.DangerousGetHandle(), ref off, (nint)left);
                        if (n <= 0) break;
                        left -= n;
                    }
                    if (left == 0) continue;
                    f = (null, 0, f.File, off, (int)left);
                }
                _packets.SendPacketsElements = [new SendPacketsElement(f.File!, f.Off, f.Count)];
                _tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _packets.Completed -= OnDone; _packets.Completed += OnDone;
                if (socket.SendPacketsAsync(_packets)) await _tcs.Task;
            }
        }
        return new FlushResult(false, false);
    }
    private void OnDone(object? s, SocketAsyncEventArgs e) => _tcs!.TrySetResult();
}
static class Native
{
    [DllImport("libc", SetLastError = true)] public static extern int memfd_create(string name, uint flags);
    [DllImport("libc", SetLastError = true)] public static extern nint sendfile(int outFd, int inFd, ref long offset, nint count);
    [DllImport("libc", SetLastError = true)] public static extern unsafe nint send(int fd, byte* buf, nint len, int flags);
}
