using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/EdgeProxy.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(EdgeProxy.Benchmarks.ForwardingBenchmarks).Assembly).Run(args);
