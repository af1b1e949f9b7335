using BenchmarkDotNet.Running;
using Gateway.Benchmarks;

// Micro-benchmarks of the gateway's hot paths. Run: bench/micro [BenchmarkDotNet arguments, e.g. --filter *Allowlist*]
BenchmarkSwitcher.FromAssembly(typeof(AllowlistLookupBenchmarks).Assembly).Run(args);
