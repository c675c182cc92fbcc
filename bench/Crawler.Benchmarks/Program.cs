using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// In-process: the repository's warnings-as-errors and central package versions would break the project that the
// default toolchain generates, and a short job keeps a full run to a few minutes on the 2-core machine.
var config = ManualConfig.Create(DefaultConfig.Instance)
    .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
BenchmarkSwitcher.FromAssembly(typeof(Crawler.Benchmarks.ExtractionBenchmarks).Assembly).Run(args, config);
