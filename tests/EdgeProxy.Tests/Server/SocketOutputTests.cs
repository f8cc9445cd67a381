using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using EdgeProxy.Caching;
using EdgeProxy.Server;

namespace EdgeProxy.Tests.Server;

/// <summary>A connection's output written straight to a loopback socket, with a reserved range sent from a memory file.</summary>
public sealed class SocketOutputTests : IAsyncLifetime, IDisposable
{
    private static readonly TransportOptions Options = new();
    private Socket _server = null!;
    private Socket _client = null!;

    public async Task InitializeAsync()
    {
        using var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        _client = new Socket(SocketType.Stream, ProtocolType.Tcp);
        var accept = listener.AcceptAsync();
        await _client.ConnectAsync(listener.LocalEndPoint!);
        _server = await accept;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _server.Dispose();
        _client.Dispose();
    }

    [Fact]
    public async Task ReservedRange_GoesOutFromTheFile_BetweenTheBytesAroundIt()
    {
        var bytes = new byte[50_000];
        new Random(3).NextBytes(bytes);
        var file = FileBackedBody.TryCreate(bytes)!;
        var output = new SocketOutput(_server, new Pipe().Writer, MemoryPool<byte>.Shared, Options);

        output.Write("head:"u8);
        output.SendFile(file, 10, 30_000);
        for (var left = 30_000; left > 0;)
        {
            var n = Math.Min(left, output.GetMemory(1000).Length);
            output.Advance(n);
            left -= n;
        }

        output.Write(":tail"u8);
        Assert.Equal(5 + 30_000 + 5, output.UnflushedBytes);
        Assert.Equal(0, output.BytesFlushed);
        var result = await output.FlushAsync();

        Assert.False(result.IsCompleted);
        Assert.Equal(0, output.UnflushedBytes);
        Assert.Equal(5 + 30_000 + 5, output.BytesFlushed);
        var received = await ReceiveAsync(5 + 30_000 + 5);
        Assert.Equal("head:", Encoding.ASCII.GetString(received, 0, 5));
        Assert.Equal(bytes.AsSpan(10, 30_000).ToArray(), received.AsSpan(5, 30_000).ToArray());
        Assert.Equal(":tail", Encoding.ASCII.GetString(received, 30_005, 5));
    }

    [Fact]
    public async Task BytesFlushed_LeavesOutARangeStillBeingAdvancedOver_UntilItGoes()
    {
        var file = FileBackedBody.TryCreate(new byte[1000])!;
        var output = new SocketOutput(_server, new Pipe().Writer, MemoryPool<byte>.Shared, Options);
        output.Write("head:"u8);
        output.SendFile(file, 0, 1000);
        output.GetMemory(400);
        output.Advance(400);

        await output.FlushAsync();
        Assert.Equal(5, output.BytesFlushed);

        output.GetMemory(600);
        output.Advance(600);
        await output.FlushAsync();
        Assert.Equal(1005, output.BytesFlushed);
        Assert.Equal(1005, (await ReceiveAsync(1005)).Length);
    }

    [Fact]
    public void AdvancingPastTheReservedRange_Throws()
    {
        var file = FileBackedBody.TryCreate(new byte[1000])!;
        var output = new SocketOutput(_server, new Pipe().Writer, MemoryPool<byte>.Shared, Options);
        output.SendFile(file, 0, 100);
        output.GetMemory(200);

        Assert.Throws<InvalidOperationException>(() => output.Advance(101));
        Assert.Throws<InvalidOperationException>(() => output.SendFile(file, 0, 10)); // the first range is not done
        Assert.Throws<ArgumentOutOfRangeException>(() => new SocketOutput(_server, new Pipe().Writer, MemoryPool<byte>.Shared, Options).SendFile(file, 950, 100));
    }

    [Fact]
    public async Task Complete_HandsWhatWasNotFlushed_ToTheTransportsPipe()
    {
        var transport = new Pipe();
        var file = FileBackedBody.TryCreate(Encoding.ASCII.GetBytes("0123456789"))!;
        var output = new SocketOutput(_server, transport.Writer, MemoryPool<byte>.Shared, Options);
        output.Write("sent "u8);
        await output.FlushAsync();
        output.Write("left "u8);
        output.SendFile(file, 2, 5);
        output.Advance(output.GetMemory(5).Length >= 5 ? 5 : throw new InvalidOperationException());

        output.Complete();

        var read = await transport.Reader.ReadAsync();
        Assert.Equal("left 23456", Encoding.ASCII.GetString(read.Buffer.ToArray()));
        Assert.True(read.IsCompleted);
        Assert.Equal("sent ", Encoding.ASCII.GetString(await ReceiveAsync(5)));
    }

    [Fact]
    public async Task Flush_AfterThePeerReset_ReportsCompleted()
    {
        var output = new SocketOutput(_server, new Pipe().Writer, MemoryPool<byte>.Shared, Options);
        _client.LingerState = new LingerOption(true, 0);
        _client.Close();

        output.Write(new byte[100_000]);
        var first = await output.FlushAsync();
        output.Write("more"u8);
        var second = await output.FlushAsync();

        Assert.True(first.IsCompleted);
        Assert.True(second.IsCompleted);
    }

    private async Task<byte[]> ReceiveAsync(int count)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await _client.ReceiveAsync(buffer.AsMemory(read));
            Assert.True(n > 0, "the connection ended early");
            read += n;
        }

        return buffer;
    }
}
