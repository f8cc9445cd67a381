using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/EdgeProxy.Benchmarks -- --filter '*'
// dotnet run -c Release --project tests/EdgeProxy.Benchmarks -- --sample-allocations [size] [accessLog] [hits]
if (args.Length > 0 && args[0] == "--sample-allocations")
{
    return await EdgeProxy.Benchmarks.AllocationSampler.RunAsync(args);
}

BenchmarkSwitcher.FromAssembly(typeof(EdgeProxy.Benchmarks.ForwardingBenchmarks).Assembly).Run(args);
return 0;
