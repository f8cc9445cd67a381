using System.Collections.Concurrent;
using System.Diagnostics;

namespace EdgeProxy.Server;

/// <summary>
/// Turn-taking between the connections that share an I/O thread under inline scheduling
/// (<see cref="TransportOptions.InlineScheduling"/>). Kestrel's socket receive loop keeps reading while a read completes
/// at once, and inline scheduling runs the request inside that loop; a client on the same machine that answers each
/// response within microseconds (a load generator, a local TLS terminator) keeps its next request ready every time,
/// so one connection can be served thousands of times in a row while the other connections of that I/O thread wait
/// (seen: 719–2,950 in a row, 100–370 ms, docs/benchmarks.md "The latency tail of small hits under the harness").
/// nginx puts such a connection at the back of its queue of posted events; this does the same.
/// <para>
/// Each thread remembers the connection it served last and how many times in a row. When a connection has been served
/// <c>streak</c> times in a row and another connection was served on that thread shortly before its run began, its next
/// request is parked on that thread and runs when the thread next serves another connection, before that one; a timer
/// runs anything still parked after about a millisecond (the other connections may have gone quiet). A run that may not
/// be parked (it began after a quiet spell, or right after the timer had to run what was parked: the connection looks
/// alone) is not left unbounded either: after <see cref="LoneRunLimit"/> requests in a row its next request is handed to
/// the thread pool, which lets the I/O thread look at its other sockets (a connection that had the thread to itself for
/// a moment cannot hold up the others that become ready meanwhile: seen, 100–400 requests, 10–100 ms), and costs a
/// connection that really is alone one thread-pool hop, not a millisecond's wait. While that thread then serves only the
/// same connection it is still alone; once it serves another, runs are parked again. Process-wide, like the runtime's I/O
/// threads it schedules on.
/// </para>
/// </summary>
internal static class FairTurns
{
    /// <summary>A run that starts this long after another connection was served on its thread is never parked: it is starving no one.</summary>
    private static readonly long RecentTicks = Stopwatch.Frequency / 200; // 5 ms

    /// <summary>
    /// A response at least this large ends a run: the request after it starts the count afresh. Such a client is busy
    /// reading for a while, so its next request rarely finds the thread still on it, and when it does it has not held
    /// the thread in the way that starves the others: with turns off, 100 KiB hits keep a short tail (docs/benchmarks.md
    /// "Turns and large responses"), and parking them only made their I/O thread sleep and wake (0.38-0.66 context
    /// switches per hit against 0.13-0.20). Chosen between the sizes measured (1 KiB: turns needed; 100 KiB: not).
    /// </summary>
    internal const int LargeResponseBytes = 32 * 1024;

    /// <summary>Requests in a row after which a run that may not be parked hands its next request to the thread pool.</summary>
    internal const int LoneRunLimit = 16;

    private static readonly TimeSpan FallbackDelay = TimeSpan.FromMilliseconds(1);
    private static readonly Lock Registry = new();
    private static readonly Timer Fallback = new(static _ => RunAllParked(), null, Timeout.Infinite, Timeout.Infinite);
    private static readonly object ParkedMarker = new();
    private static readonly object HandedOffMarker = new();
    private static ThreadTurns[] s_threads = [];
    private static int s_fallbackArmed;
    private static long s_parked;
    private static long s_ranByFallback;
    private static long s_handedOff;

    [ThreadStatic]
    private static ThreadTurns? t_turns;

    /// <summary>The clock runs are timed by (<see cref="Stopwatch"/> ticks); tests stop it to take the 5 ms rule out of the way.</summary>
    internal static TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>Requests parked behind other connections since the process started.</summary>
    public static long Parked => Interlocked.Read(ref s_parked);

    /// <summary>Parked requests the timer ran because no other connection came along on their thread in time.</summary>
    public static long RanByFallback => Interlocked.Read(ref s_ranByFallback);

    /// <summary>Requests handed to the thread pool at the end of a run that could not be parked (<see cref="LoneRunLimit"/>).</summary>
    public static long HandedOff => Interlocked.Read(ref s_handedOff);

    /// <summary>
    /// Called on the thread a connection's read completed on, before its request runs: whether it runs now, is parked
    /// (then <see cref="Park"/> it) or goes to the thread pool (<see cref="HandOff"/>). When this is another connection,
    /// first runs what earlier connections parked on this thread. <paramref name="startOver"/>: the request runs now and
    /// the connection's run starts over, because its response before this request was at least
    /// <see cref="LargeResponseBytes"/>, or the hit lane answered that request (<see cref="FairInput.AnsweredByLane"/>).
    /// </summary>
    public static Turn Take(object connection, int streak, bool startOver)
    {
        var turns = t_turns ??= Register(new ThreadTurns());
        var now = Time.GetTimestamp();
        if (ReferenceEquals(turns.Last, connection))
        {
            turns.LastServedAt = now;
            if (startOver)
            {
                turns.Streak = 0;
                return Turn.Now;
            }

            if (++turns.Streak < (turns.RunMayPark ? streak : Math.Max(streak, LoneRunLimit)))
            {
                return Turn.Now;
            }

            // Whichever connection the thread serves next is "another" (a parked request runs before it).
            turns.Streak = 0;
            if (turns.RunMayPark)
            {
                turns.Last = ParkedMarker;
                return Turn.Park;
            }

            turns.Last = HandedOffMarker;
            turns.HandedOffFrom = connection;
            return Turn.HandOff;
        }

        // A new run. It may be parked if another connection (or a parked one) was served here shortly before, unless the
        // timer had to run what was parked here (nobody else came), or the thread has served no one but this connection
        // since it handed one of its requests off: then this connection looks alone.
        var alone = ReferenceEquals(turns.HandedOffFrom, connection);
        turns.HandedOffFrom = null;
        turns.RunMayPark = turns.Last is not null && !turns.TakeRanByTimer() && !alone && now - turns.LastServedAt < RecentTicks;
        turns.Last = connection;
        turns.Streak = 0;
        turns.LastServedAt = now;
        turns.RunParked();
        return Turn.Now;
    }

    /// <summary>Parks a continuation on this thread (after <see cref="Take"/> said so).</summary>
    public static void Park(Action continuation)
    {
        var turns = t_turns!;
        turns.Enqueue(continuation);
        Interlocked.Increment(ref s_parked);
        if (Interlocked.Exchange(ref s_fallbackArmed, 1) == 0)
        {
            Fallback.Change(FallbackDelay, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Hands a continuation to the thread pool (after <see cref="Take"/> said so), freeing the I/O thread for its other sockets.</summary>
    public static void HandOff(Action continuation)
    {
        Interlocked.Increment(ref s_handedOff);
        ThreadPool.UnsafeQueueUserWorkItem(static run => run(), continuation, preferLocal: false);
    }

    private static ThreadTurns Register(ThreadTurns turns)
    {
        lock (Registry)
        {
            // Threads are few (the runtime's I/O threads, now and then a pool thread); ended ones leave when a new one comes.
            s_threads = [.. s_threads.Where(static t => t.Owner.IsAlive || t.HasParked), turns];
        }

        return turns;
    }

    private static void RunAllParked()
    {
        Volatile.Write(ref s_fallbackArmed, 0);
        foreach (var turns in Volatile.Read(ref s_threads))
        {
            turns.RunParked(byTimer: true);
        }
    }

    private sealed class ThreadTurns
    {
        private readonly ConcurrentQueue<Action> _parked = new();
        private int _ranByTimer;

        // Read and written by the owning thread only.
        public object? Last;
        public object? HandedOffFrom;
        public int Streak;
        public long LastServedAt;
        public bool RunMayPark;

        public Thread Owner { get; } = Thread.CurrentThread;

        public bool HasParked => !_parked.IsEmpty;

        public void Enqueue(Action continuation) => _parked.Enqueue(continuation);

        /// <summary>
        /// Runs what is parked here, in order; on the owning thread, or the fallback timer's (<paramref name="byTimer"/>),
        /// which counts each request and marks this thread (no other connection came along in time) before running it,
        /// so whatever the request does next already sees both.
        /// </summary>
        public void RunParked(bool byTimer = false)
        {
            while (_parked.TryDequeue(out var next))
            {
                if (byTimer)
                {
                    Interlocked.Increment(ref s_ranByFallback);
                    Volatile.Write(ref _ranByTimer, 1);
                }

                next();
            }
        }

        public bool TakeRanByTimer() => Volatile.Read(ref _ranByTimer) == 1 && Interlocked.Exchange(ref _ranByTimer, 0) == 1;
    }
}

/// <summary>What <see cref="FairTurns.Take"/> decided for a request whose read had to wait.</summary>
internal enum Turn
{
    /// <summary>Runs now, on this thread.</summary>
    Now,

    /// <summary>Waits on this thread until it serves another connection (<see cref="FairTurns.Park"/>).</summary>
    Park,

    /// <summary>Runs on the thread pool (<see cref="FairTurns.HandOff"/>).</summary>
    HandOff,
}
