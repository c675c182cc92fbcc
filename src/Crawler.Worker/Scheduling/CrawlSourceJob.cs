using Crawler.Storage;
using Crawler.Worker.Crawling;
using Crawler.Worker.Sources;
using Quartz;

namespace Crawler.Worker.Scheduling;

/// <summary>One scheduled crawl of one source. Never runs twice at once for the same source.</summary>
[DisallowConcurrentExecution]
public sealed class CrawlSourceJob(CrawlRunner runner, SourceCatalog sources, ICrawlStore store, IHostApplicationLifetime lifetime, ILogger<CrawlSourceJob> logger) : IJob
{
    public const string SourceKey = "source";

    public static JobKey KeyFor(string source) => new(source, "crawl");

    public async Task Execute(IJobExecutionContext context)
    {
        var name = context.MergedJobDataMap.GetString(SourceKey);
        if (name is null || sources.Find(name) is not { } source)
        {
            logger.LogError("Scheduled job {Job} names source {Source}, which is not configured", context.JobDetail.Key, name);
            return;
        }

        // the scheduled time names the tick: with workers sharing a schedule, each tick must appear on one worker only
        logger.LogInformation("Scheduled crawl of {Source} fired for {FireTime:o}{Recovering}", source.Name, context.ScheduledFireTimeUtc, context.Recovering ? " (recovered from a stopped worker)" : "");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        try
        {
            // The job of a dead worker is fired again here; its run may already have been finished by the workers
            // that helped with it, and then there is nothing to recover (the next tick crawls again).
            if (context.Recovering && !(await store.GetUnfinishedRunsAsync(stop.Token)).Any(r => r.Source == source.Name))
            {
                logger.LogInformation("Nothing to recover for {Source}: its run was finished by the other workers", source.Name);
                return;
            }

            await runner.RunAsync(source, stop.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A failed run must not unschedule the source: log it, the next tick tries again (resuming the run).
            logger.LogError(ex, "Run of {Source} failed", source.Name);
        }
    }
}
