using Crawler.Worker.Normalization;
using Crawler.Worker.Sources;
using Quartz;

namespace Crawler.Worker.Scheduling;

public static class SchedulingServiceCollectionExtensions
{
    /// <summary>Quartz with one cron-triggered job per enabled source; runs left unfinished are resumed at start.</summary>
    public static IServiceCollection AddCrawlerScheduling(this IServiceCollection services, IConfiguration configuration)
    {
        var sources = configuration.GetSection(SourcesOptions.SectionName).Get<SourcesOptions>() ?? new SourcesOptions();
        var snapshot = configuration.GetSection(SnapshotOptions.SectionName).Get<SnapshotOptions>() ?? new SnapshotOptions();
        services.AddQuartz(q =>
        {
            q.SchedulerName = "crawler";
            foreach (var source in sources.Sources.Where(s => s.Enabled && !string.IsNullOrWhiteSpace(s.Name)))
            {
                var key = CrawlSourceJob.KeyFor(source.Name);
                q.AddJob<CrawlSourceJob>(key, j => j.UsingJobData(CrawlSourceJob.SourceKey, source.Name).StoreDurably());
                if (!CronExpression.IsValidExpression(source.Schedule))
                {
                    continue; // reported by SourcesOptionsValidator at start, with the key's name
                }

                var zone = TimeZoneInfo.TryFindSystemTimeZoneById(source.TimeZone ?? snapshot.TimeZone, out var z) ? z : TimeZoneInfo.Utc;
                q.AddTrigger(t => t
                    .ForJob(key)
                    .WithIdentity($"{source.Name}-schedule", "crawl")
                    // a tick missed while the previous run is still going is skipped, not queued up
                    .WithCronSchedule(source.Schedule, c => c.InTimeZone(zone).WithMisfireHandlingInstructionDoNothing()));
            }
        });
        services.AddHostedService<ResumeUnfinishedRuns>();
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        return services;
    }
}
