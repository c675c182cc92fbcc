using System.Diagnostics;
using Crawler.Worker.Cli;

namespace Crawler.Worker.Tests.Cli;

/// <summary>The process-CPU line of the crawl summary, measured on this process's own spinning.</summary>
public sealed class CpuMeterTests
{
    [Fact]
    public void The_cpu_meter_counts_the_work_done_and_no_more_than_the_cores_could()
    {
        var meter = CpuMeter.Start();
        var spin = Stopwatch.StartNew();
        var x = 0UL;
        while (spin.ElapsedMilliseconds < 200)
        {
            x = (x * 6364136223846793005UL) + 1442695040888963407UL;
        }

        var usage = meter.Read();

        Assert.NotEqual(0UL, x);
        // 200 ms of spinning on this thread, however many cores; the whole process's threads cannot pass the cores
        Assert.True(usage.Cpu >= TimeSpan.FromMilliseconds(150), usage.ToString());
        Assert.True(usage.Cpu <= (usage.Wall * usage.Cores) + TimeSpan.FromMilliseconds(10), usage.ToString());
        Assert.InRange(usage.Busy, 0.0, 1.01);
        Assert.Equal("1.50 s in 2.0 s on 1 core (75% of it busy)", new CpuUsage(TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(2), 1).ToString());
        Assert.Equal("3.00 s in 2.0 s on 2 cores (75% of them busy)", new CpuUsage(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(2), 2).ToString());
    }
}
