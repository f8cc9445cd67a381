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
/// runs anything still parked after about a millisecond (the other connections may have gone quiet), and the thread's
/// next run is then not parked. So a connection alone on its thread is never parked, or once if another had just been
/// served there. Process-wide, like the runtime's I/O threads it schedules on.
/// </para>
/// </summary>
internal static class FairTurns
{
    /// <summary>A run that starts this long after another connection was served on its thread is never parked: it is starving no one.</summary>
    private static readonly long RecentTicks = Stopwatch.Frequency / 200; // 5 ms

    private static readonly TimeSpan FallbackDelay = TimeSpan.FromMilliseconds(1);
    private static readonly Lock Registry = new();
    private static readonly Timer Fallback = new(static _ => RunAllParked(), null, Timeout.Infinite, Timeout.Infinite);
    private static readonly object ParkedMarker = new();
    private static ThreadTurns[] s_threads = [];
    private static int s_fallbackArmed;
    private static long s_parked;
    private static long s_ranByFallback;

    [ThreadStatic]
    private static ThreadTurns? t_turns;

    /// <summary>The clock runs are timed by (<see cref="Stopwatch"/> ticks); tests stop it to take the 5 ms rule out of the way.</summary>
    internal static TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>Requests parked behind other connections since the process started.</summary>
    public static long Parked => Interlocked.Read(ref s_parked);

    /// <summary>Parked requests the timer ran because no other connection came along on their thread in time.</summary>
    public static long RanByFallback => Interlocked.Read(ref s_ranByFallback);

    /// <summary>
    /// Called on the thread a connection's read completed on, before its request runs: true when it must wait its turn
    /// (then <see cref="Park"/> it). Otherwise runs what earlier connections parked on this thread, if this is another one.
    /// </summary>
    public static bool MustWait(object connection, int streak)
    {
        var turns = t_turns ??= Register(new ThreadTurns());
        var now = Time.GetTimestamp();
        if (ReferenceEquals(turns.Last, connection))
        {
            turns.LastServedAt = now;
            if (++turns.Streak >= streak && turns.RunMayPark)
            {
                // Whichever connection the thread serves next is "another" (and the parked one runs before it).
                turns.Streak = 0;
                turns.Last = ParkedMarker;
                return true;
            }

            return false;
        }

        // A new run. It may be parked if another connection (or a parked one) was served here shortly before, unless
        // the timer had to run what was parked here: then nobody else came, and this connection is alone.
        turns.RunMayPark = turns.Last is not null && !turns.TakeRanByTimer() && now - turns.LastServedAt < RecentTicks;
        turns.Last = connection;
        turns.Streak = 0;
        turns.LastServedAt = now;
        turns.RunParked();
        return false;
    }

    /// <summary>Parks a continuation on this thread (after <see cref="MustWait"/> said so).</summary>
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
