using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Text;
using EdgeProxy.Server;

namespace EdgeProxy.Tests.Server;

/// <summary>
/// Connections taking turns on one I/O thread: each test drives its pipes from a thread of its own, as the runtime's
/// epoll thread drives a socket's pipe under inline scheduling (the reader's continuation runs inside the flush).
/// </summary>
public sealed class FairInputTests
{
    private const int Streak = 2;

    /// <summary>
    /// A connection served <see cref="Streak"/> times in a row waits until the thread serves another, then runs before it
    /// (no direct output, or responses under <see cref="FairTurns.LargeResponseBytes"/>); a connection whose responses are
    /// that large is not parked: its run starts over after each.
    /// </summary>
    [Theory]
    [InlineData(0, true)]
    [InlineData(FairTurns.LargeResponseBytes - 1, true)]
    [InlineData(FairTurns.LargeResponseBytes, false)]
    public async Task AConnectionServedStreakTimesInARow_WaitsForAnother_UnlessItsResponsesAreLarge(int responseBytes, bool parked)
    {
        var seen = new ConcurrentQueue<string>();
        await OnOwnThread(() =>
        {
            // Once through first, so nothing is compiled in the middle of the run below.
            Drive(seen, "w", responseBytes);
            seen.Clear();
            Drive(seen, "r", responseBytes);
        });

        Assert.Equal(
            parked
                ? ["rB:1", "rA:1", "rA:2", "after rA:3 was written: 3 seen", "rA:3", "rB:2"]
                : ["rB:1", "rA:1", "rA:2", "rA:3", "after rA:3 was written: 4 seen", "rB:2"],
            seen.ToArray());
    }

    [Fact]
    public async Task AConnectionAloneOnItsThread_IsNeverParked()
    {
        var seen = new ConcurrentQueue<string>();
        await OnOwnThread(() =>
        {
            var a = new Connection("A", seen);
            for (var i = 1; i <= FairTurns.LoneRunLimit; i++)
            {
                a.Send(i);
                Assert.Equal(i, seen.Count);
            }
        });
    }

    [Fact]
    public async Task AParkedRead_RunsWithinMilliseconds_WhenNoOtherConnectionComesAlong_AndTheConnectionIsThenLeftAlone()
    {
        var seen = new ConcurrentQueue<string>();
        var fallbacks = FairTurns.RanByFallback;

        // The clock is never advanced, so every run looks recent: only the timer's mark on the thread can leave A alone after
        // the timer ran its parked read (otherwise however long the timer took to run would decide it).
        await OnOwnThread(() =>
        {
            Drive(seen, "w");
            seen.Clear();
            var b = new Connection("B", seen);
            var a = new Connection("A", seen);
            b.Send(1);
            a.Send(1);
            a.Send(2);
            a.Send(3); // A's third request is parked; B never sends again

            // The timer runs it on a thread of its own (at once, if a park before armed it); A goes on alone on this one
            // and is not parked again.
            Assert.True(a.WaitingFor(4).Wait(TimeSpan.FromSeconds(10)), "the parked read never ran");
            Assert.NotEqual(Environment.CurrentManagedThreadId, a.ServedOn(3));
            Assert.True(FairTurns.RanByFallback > fallbacks);
            for (var i = 4; i <= 12; i++)
            {
                a.Send(i);
                Assert.Equal(i + 1, seen.Count); // B:1 and A:1 … A:i
            }
        }, clock: new ManualClock());

        Assert.Equal(["B:1", "A:1", "A:2", "A:3", "A:4", "A:5", "A:6", "A:7", "A:8", "A:9", "A:10", "A:11", "A:12"], seen.ToArray());
    }

    /// <summary>
    /// A read after a request the hit lane answered is not counted: such a connection is never parked, however long its
    /// run. Once Kestrel serves its requests again, they are counted from the start, and parked as usual.
    /// </summary>
    [Fact]
    public async Task ReadsAfterLaneAnswers_AreNotCounted_AndARunThroughKestrelIsCountedAfresh()
    {
        var seen = new ConcurrentQueue<string>();
        await OnOwnThread(() =>
        {
            Drive(seen, "w");
            seen.Clear();
            var b = new Connection("B", seen);
            var a = new Connection("A", seen) { LaneAnswers = true };
            b.Send(1);
            for (var i = 1; i <= 6; i++)
            {
                a.Send(i);
                Assert.Equal(i + 1, seen.Count); // B:1 and A:1 … A:i, none parked
            }

            a.LaneAnswers = false;
            a.Send(7); // read after the lane's answer to 6: not counted
            a.Send(8); // counted: 1 in a row
            a.Send(9); // 2 in a row: parked until the thread serves another connection
            Assert.Equal(9, seen.Count);
            b.Send(2);
        }, clock: new ManualClock());

        Assert.Equal(["B:1", "A:1", "A:2", "A:3", "A:4", "A:5", "A:6", "A:7", "A:8", "A:9", "B:2"], seen.ToArray());
    }

    [Fact]
    public async Task ARunBeginningLongAfterAnotherConnectionWasServed_IsNotParked()
    {
        var seen = new ConcurrentQueue<string>();
        var clock = new ManualClock();
        await OnOwnThread(() =>
        {
            var (a, _) = AfterAQuietSpell(seen, clock); // A's run begins more than 5 ms after B was served: it starves no one
            for (var i = 1; i <= 6; i++)
            {
                a.Send(i);
                Assert.Equal(i + 1, seen.Count);
            }
        }, clock);
    }

    [Fact]
    public async Task ARunThatMayNotBeParked_HandsARequestToThePoolAfterItsLimit_AndGoesOnAloneAfterIt()
    {
        var seen = new ConcurrentQueue<string>();
        var clock = new ManualClock();
        var handedOff = FairTurns.HandedOff;
        await OnOwnThread(() =>
        {
            var thread = Environment.CurrentManagedThreadId;
            var (a, _) = AfterAQuietSpell(seen, clock); // A's run may not be parked: B was served too long before it began
            var first = 1 + FairTurns.LoneRunLimit; // the request after the limit
            for (var i = 1; i < first; i++)
            {
                a.Send(i);
                Assert.Equal(i + 1, seen.Count);
            }

            // The next one goes to the thread pool, so the I/O thread could look at its other sockets.
            a.Send(first);
            Assert.True(a.WaitingFor(first + 1).Wait(TimeSpan.FromSeconds(10)), "the handed-off read never ran");
            Assert.NotEqual(thread, a.ServedOn(first));

            // Nobody else came: A is alone, is not parked, and hands off again only after another full run.
            var second = first + 1 + FairTurns.LoneRunLimit;
            for (var i = first + 1; i < second; i++)
            {
                a.Send(i);
                Assert.Equal(i + 1, seen.Count);
                Assert.Equal(thread, a.ServedOn(i));
            }

            a.Send(second);
            Assert.True(a.WaitingFor(second + 1).Wait(TimeSpan.FromSeconds(10)), "the second handed-off read never ran");
            Assert.NotEqual(thread, a.ServedOn(second));
        }, clock);

        Assert.True(FairTurns.HandedOff >= handedOff + 2);
    }

    [Fact]
    public async Task AfterAHandOff_TheThreadServingAnotherConnection_MakesRunsParkableAgain()
    {
        var seen = new ConcurrentQueue<string>();
        var clock = new ManualClock();
        await OnOwnThread(() =>
        {
            var (a, b) = AfterAQuietSpell(seen, clock);
            var handed = 1 + FairTurns.LoneRunLimit;
            for (var i = 1; i <= handed; i++)
            {
                a.Send(i);
            }

            Assert.True(a.WaitingFor(handed + 1).Wait(TimeSpan.FromSeconds(10)), "the handed-off read never ran");
            seen.Clear();

            // B is served on the thread: A is no longer alone, and its next run is parked at the streak as usual.
            b.Send(2);
            a.Send(handed + 1);
            a.Send(handed + 2);
            a.Send(handed + 3);
            seen.Enqueue($"after A:{handed + 3} was written: {seen.Count} seen");
            b.Send(3);
        }, clock);

        var last = 1 + FairTurns.LoneRunLimit + 3;
        Assert.Equal(["B:2", $"A:{last - 2}", $"A:{last - 1}", $"after A:{last} was written: 3 seen", $"A:{last}", "B:3"], seen.ToArray());
    }

    /// <summary>Connections A and B, with B served once and then 6 ms of quiet, so A's first run may not be parked.</summary>
    private static (Connection A, Connection B) AfterAQuietSpell(ConcurrentQueue<string> seen, ManualClock clock)
    {
        var b = new Connection("B", seen);
        var a = new Connection("A", seen);
        b.Send(1);
        clock.Advance(TimeSpan.FromMilliseconds(6));
        return (a, b);
    }

    /// <summary>A connection's direct output, as far as <see cref="FairInput"/> looks at it: the bytes it flushed.</summary>
    private sealed class CountingOutput : IZeroCopyOutput
    {
        public int MinBytes => int.MaxValue;

        public long BytesFlushed { get; set; }

        public void SendFile(EdgeProxy.Caching.FileBackedBody body, long offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A clock whose time moves only when told.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _now = Stopwatch.GetTimestamp();

        public override long GetTimestamp() => Interlocked.Read(ref _now);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _now, (long)(by.TotalSeconds * Stopwatch.Frequency));
    }

    private static void Drive(ConcurrentQueue<string> seen, string prefix, int responseBytes = 0)
    {
        var b = new Connection(prefix + "B", seen, responseBytes);
        var a = new Connection(prefix + "A", seen, responseBytes);
        b.Send(1);
        a.Send(1);
        a.Send(2);
        a.Send(3);
        seen.Enqueue($"after {prefix}A:3 was written: {seen.Count} seen");
        b.Send(2);
    }

    /// <summary>Runs <paramref name="drive"/> on a new thread, with <see cref="FairTurns"/> timing runs by <paramref name="clock"/> until it ends.</summary>
    private static async Task OnOwnThread(Action drive, TimeProvider? clock = null)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                drive();
                done.SetResult();
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        });
        FairTurns.Time = clock ?? TimeProvider.System;
        try
        {
            thread.Start();
            await done.Task;
        }
        finally
        {
            FairTurns.Time = TimeProvider.System;
        }
    }

    /// <summary>
    /// A pipe whose reader runs inline in the writer's flush, read through a <see cref="FairInput"/> by a loop like
    /// Kestrel's: each read's continuation is registered before the loop says it waits, so a request sent after
    /// <see cref="WaitingFor"/> is served on the sender's thread, inside its flush, unless <see cref="FairTurns"/> parks it.
    /// </summary>
    private sealed class Connection
    {
        private readonly Pipe _pipe = new(new PipeOptions(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, useSynchronizationContext: false));
        private readonly ConcurrentDictionary<int, TaskCompletionSource> _waiting = new();
        private readonly ConcurrentDictionary<int, int> _servedOn = new();
        private readonly string _name;
        private readonly FairInput _input;
        private readonly ConcurrentQueue<string> _seen;
        private readonly CountingOutput _output = new();
        private readonly int _responseBytes;
        private int _next = 1;

        /// <param name="responseBytes">Bytes each response flushes to the connection's output; 0: no direct output at all.</param>
        public Connection(string name, ConcurrentQueue<string> seen, int responseBytes = 0)
        {
            _name = name;
            var features = new Microsoft.AspNetCore.Http.Features.FeatureCollection();
            if (responseBytes > 0)
            {
                features.Set<IZeroCopyOutput>(_output);
            }

            _input = new FairInput(_pipe.Reader, Streak, features);
            _responseBytes = responseBytes;
            _seen = seen;
            ReadNext();
        }

        public void Send(int request)
        {
            _pipe.Writer.Write(Encoding.ASCII.GetBytes(request.ToString()));
            var flush = _pipe.Writer.FlushAsync();
            Assert.True(flush.IsCompleted);
        }

        /// <summary>Whether each request served is taken for one the hit lane answered (<see cref="FairInput.AnsweredByLane"/>).</summary>
        public bool LaneAnswers { get; set; }

        /// <summary>The managed thread that served <paramref name="request"/>.</summary>
        public int ServedOn(int request) => _servedOn[request];

        /// <summary>Completes once the requests before <paramref name="request"/> were served and a read waits for it.</summary>
        public Task WaitingFor(int request) => WaitingGate(request).Task;

        private void ReadNext() => OnRead(_input.ReadAsync());

        private void OnRead(ValueTask<ReadResult> read)
        {
            if (read.IsCompleted)
            {
                Serve(read.Result);
                return;
            }

            var awaiter = read.GetAwaiter();
            awaiter.UnsafeOnCompleted(() => Serve(awaiter.GetResult()));
            WaitingGate(_next).TrySetResult();
        }

        private void Serve(ReadResult result)
        {
            var request = Encoding.ASCII.GetString(result.Buffer);
            _input.AdvanceTo(result.Buffer.End);
            _servedOn[int.Parse(request)] = Environment.CurrentManagedThreadId;
            _seen.Enqueue($"{_name}:{request}");
            _output.BytesFlushed += _responseBytes;
            _next++;
            if (LaneAnswers)
            {
                _input.AnsweredByLane();
            }

            ReadNext();
        }

        private TaskCompletionSource WaitingGate(int request) =>
            _waiting.GetOrAdd(request, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }
}
