using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Ledsag.Benchmarks.LedgerReplayBenchmark).Assembly).Run(args);
