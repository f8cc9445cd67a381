using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace EdgeProxy.Benchmarks;

/// <summary>
/// Which types the hit path allocates: runs <see cref="HitPathBenchmarks"/>'s setup, then a bounded
/// number of hits while listening to the runtime's GCAllocationTick events (one sample per ~100 KB
/// allocated, with the type name), and prints the sampled types. A diagnostic, not a benchmark:
///   dotnet run -c Release --project tests/EdgeProxy.Benchmarks -- --sample-allocations [size] [accessLog] [hits]
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private readonly ConcurrentDictionary<string, long> _bytes = new();
    private bool _on;

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword: AllocationTick
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!_on || eventData.EventName is null || !eventData.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.Payload is null)
        {
            return;
        }

        var name = eventData.PayloadNames!.IndexOf("TypeName") is var i and >= 0 ? eventData.Payload[i] as string ?? "?" : "?";
        var amount = eventData.PayloadNames.IndexOf("AllocationAmount64") is var j and >= 0 ? Convert.ToInt64(eventData.Payload[j], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
        _bytes.AddOrUpdate(name, amount, (_, v) => v + amount);
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var bench = new HitPathBenchmarks
        {
            Size = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1024,
            AccessLog = args.Length > 2 && bool.Parse(args[2]),
        };
        var hits = args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
        await bench.SetupAsync();
        for (var i = 0; i < 5_000; i++)
        {
            await bench.Hit();
        }

        using var sampler = new AllocationSampler();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        sampler._on = true;
        for (var i = 0; i < hits; i++)
        {
            await bench.Hit();
        }

        sampler._on = false;
        var total = GC.GetTotalAllocatedBytes(precise: true) - before;
        await bench.CleanupAsync();
        Console.WriteLine($"{hits} hits, {total / (double)hits:F0} bytes allocated per hit (whole process)");
        var sampled = sampler._bytes.Values.Sum();
        foreach (var (type, bytes) in sampler._bytes.OrderByDescending(p => p.Value).Take(30))
        {
            Console.WriteLine($"{bytes * 100.0 / Math.Max(1, sampled),5:F1}%  ~{total * (bytes / (double)Math.Max(1, sampled)) / hits,6:F0} B/hit  {type}");
        }

        return 0;
    }
}
