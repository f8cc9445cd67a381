using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using System.Runtime.CompilerServices;

namespace EdgeProxy.Server;

/// <summary>
/// A connection's input that takes turns with the other connections of its I/O thread (<see cref="FairTurns"/>): when a
/// read that had to wait completes, the request it carries either runs at once, as before, is parked until the thread
/// has served another connection, or goes to the thread pool. Reads that complete at once (bytes already buffered) are not counted: they are the same
/// request's bytes or a pipelined request, which the connection's own loop serves in order anyway. Where the
/// connection's output goes straight to its socket (<see cref="IZeroCopyOutput"/>), a request whose response before it
/// sent at least <see cref="FairTurns.LargeResponseBytes"/> starts the count over (see there).
/// </summary>
internal sealed class FairInput(PipeReader inner, int streak, IFeatureCollection features) : PipeReader
{
    private IZeroCopyOutput? _output;
    private bool _outputLookedUp;
    private bool _answeredByLane;
    private long _flushedAtLastTurn;

    /// <summary>Connection middleware giving each connection of a listener a <see cref="FairInput"/>.</summary>
    public static Func<ConnectionDelegate, ConnectionDelegate> Middleware(int streak) => next => async connection =>
    {
        var transport = connection.Transport;
        connection.Transport = new DuplexPipe(new FairInput(transport.Input, streak, connection.Features), transport.Output);
        try
        {
            await next(connection);
        }
        finally
        {
            connection.Transport = transport;
        }
    };

    /// <summary>
    /// The hit lane answered the request before the next read: the connection's run starts over at that read, as after a
    /// large response. The lane answers in a few microseconds, so the proxy is rarely the bottleneck there, and a parked
    /// request then waits for the fallback timer, which the scheduler may keep off the CPUs for tens of milliseconds
    /// (docs/benchmarks.md, "The lane's 1 KiB tail"). Requests Kestrel serves are counted as before.
    /// </summary>
    public void AnsweredByLane() => _answeredByLane = true;

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        var answeredByLane = _answeredByLane;
        _answeredByLane = false;
        var read = inner.ReadAsync(cancellationToken);
        return read.IsCompleted ? read : WaitAsync(read, answeredByLane);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadResult> WaitAsync(ValueTask<ReadResult> read, bool answeredByLane)
    {
        var result = await read.ConfigureAwait(false);
        var turn = FairTurns.Take(this, streak, LargeResponseSinceLastTurn() | answeredByLane);
        if (turn != Turn.Now)
        {
            await new WaitTurn(turn);
        }

        return result;
    }

    /// <summary>
    /// Whether the connection flushed at least <see cref="FairTurns.LargeResponseBytes"/> since its last turn. The output
    /// feature is set by a connection middleware that runs after this one, so it is looked up at the first turn.
    /// </summary>
    private bool LargeResponseSinceLastTurn()
    {
        if (!_outputLookedUp)
        {
            _output = features.Get<IZeroCopyOutput>();
            _outputLookedUp = true;
        }

        if (_output is not { } output)
        {
            return false;
        }

        var flushed = output.BytesFlushed;
        var large = flushed - _flushedAtLastTurn >= FairTurns.LargeResponseBytes;
        _flushedAtLastTurn = flushed;
        return large;
    }

    public override bool TryRead(out ReadResult result) => inner.TryRead(out result);

    public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);

    public override void CancelPendingRead() => inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    /// <summary>
    /// Awaiting it parks the rest of the read on this thread (<see cref="FairTurns.Park"/>) or hands it to the thread pool
    /// (<see cref="FairTurns.HandOff"/>).
    /// </summary>
    private readonly struct WaitTurn(Turn turn) : ICriticalNotifyCompletion
    {
        public bool IsCompleted => false;

        public WaitTurn GetAwaiter() => this;

        public void GetResult()
        {
        }

        public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

        public void UnsafeOnCompleted(Action continuation)
        {
            if (turn == Turn.Park)
            {
                FairTurns.Park(continuation);
            }
            else
            {
                FairTurns.HandOff(continuation);
            }
        }
    }
}
