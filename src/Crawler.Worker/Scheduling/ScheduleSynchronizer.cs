using Crawler.Worker.Normalization;
using Crawler.Worker.Sources;
using Microsoft.Extensions.Options;
using Quartz;
using Quartz.Impl.Matchers;

namespace Crawler.Worker.Scheduling;

/// <summary>
/// Makes the schedule match the configured sources at start: a source's cron trigger is created when missing,
/// replaced only when its cron or time zone changed, and removed with its source. Leaving an unchanged trigger alone
/// matters when workers share the schedule: a replaced trigger recomputes its next tick from "now", and a worker
/// starting just after a tick would make that tick fire a second time.
/// </summary>
public sealed class ScheduleSynchronizer(
    ISchedulerFactory schedulers,
    SourceCatalog sources,
    IOptions<SnapshotOptions> snapshot,
    ILogger<ScheduleSynchronizer> logger) : IHostedService
{
    public const string Group = "crawl";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var wanted = sources.Enabled.ToDictionary(s => TriggerKeyFor(s.Name), s => s);
        foreach (var key in await scheduler.GetTriggerKeys(GroupMatcher<TriggerKey>.GroupEquals(Group), cancellationToken))
        {
            if (!wanted.ContainsKey(key))
            {
                logger.LogInformation("Unscheduling {Trigger}: its source is no longer configured or enabled", key.Name);
                await scheduler.UnscheduleJob(key, cancellationToken);
            }
        }

        foreach (var (key, source) in wanted)
        {
            var zone = TimeZoneInfo.TryFindSystemTimeZoneById(source.Options.TimeZone ?? snapshot.Value.TimeZone, out var z) ? z : TimeZoneInfo.Utc;
            var trigger = TriggerBuilder.Create()
                .ForJob(CrawlSourceJob.KeyFor(source.Name))
                .WithIdentity(key)
                // a tick missed while the previous run is still going is skipped, not queued up
                .WithCronSchedule(source.Options.Schedule, c => c.InTimeZone(zone).WithMisfireHandlingInstructionDoNothing())
                .Build();
            var existing = await scheduler.GetTrigger(key, cancellationToken) as ICronTrigger;
            if (existing is null)
            {
                try
                {
                    await scheduler.ScheduleJob(trigger, cancellationToken);
                }
                catch (ObjectAlreadyExistsException)
                {
                    // another worker starting at the same moment scheduled it first
                }
            }
            else if (existing.CronExpressionString != source.Options.Schedule || existing.TimeZone.Id != zone.Id)
            {
                logger.LogInformation("Rescheduling {Source}: {Old} ({OldZone}) is now {New} ({NewZone})",
                    source.Name, existing.CronExpressionString, existing.TimeZone.Id, source.Options.Schedule, zone.Id);
                await scheduler.RescheduleJob(key, trigger, cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public static TriggerKey TriggerKeyFor(string source) => new($"{source}-schedule", Group);
}
