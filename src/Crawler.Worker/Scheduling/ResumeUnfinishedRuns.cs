using Crawler.Storage;
using Crawler.Worker.Sources;
using Quartz;

namespace Crawler.Worker.Scheduling;

/// <summary>
/// A run cut short (stop, crash, kill -9) resumes as soon as the service is up instead of waiting for its next
/// cron tick, so the queue it left is not stranded for hours.
/// </summary>
public sealed class ResumeUnfinishedRuns(ICrawlStore store, SourceCatalog sources, ISchedulerFactory schedulers, IHostApplicationLifetime lifetime, ILogger<ResumeUnfinishedRuns> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        var scheduler = await schedulers.GetScheduler(stoppingToken);
        foreach (var run in await store.GetUnfinishedRunsAsync(stoppingToken))
        {
            if (sources.Find(run.Source) is { Options.Enabled: true } source)
            {
                logger.LogInformation("Resuming unfinished run {RunId} of {Source}", run.Id, source.Name);
                await scheduler.TriggerJob(CrawlSourceJob.KeyFor(source.Name), stoppingToken);
            }
        }
    }
}
