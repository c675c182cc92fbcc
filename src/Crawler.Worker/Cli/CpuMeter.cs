using System.Diagnostics;

namespace Crawler.Worker.Cli;

/// <summary>
/// The process's CPU time (user and system, all threads) over a stretch of wall time. Beside the cores it tells a
/// crawl held back by the CPU from one waiting on the network or the store, which the stage times cannot: those are
/// summed over pages in flight and include every wait.
/// </summary>
internal readonly record struct CpuUsage(TimeSpan Cpu, TimeSpan Wall, int Cores)
{
    /// <summary>The share of the cores' time the process used, 0 to 1.</summary>
    public double Busy => Wall > TimeSpan.Zero ? Cpu / (Wall * Cores) : 0;

    public override string ToString() => FormattableString.Invariant(
        $"{Cpu.TotalSeconds:0.00} s in {Wall.TotalSeconds:0.0} s on {Cores} {(Cores == 1 ? "core" : "cores")} ({Busy * 100:0}% of {(Cores == 1 ? "it" : "them")} busy)");
}

internal sealed class CpuMeter
{
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly TimeSpan _cpuAtStart = Environment.CpuUsage.TotalTime;

    public static CpuMeter Start() => new();

    public CpuUsage Read() => new(Environment.CpuUsage.TotalTime - _cpuAtStart, Stopwatch.GetElapsedTime(_start), Environment.ProcessorCount);
}
