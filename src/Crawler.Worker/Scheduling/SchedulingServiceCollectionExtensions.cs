using Crawler.Storage;
using Crawler.Storage.Postgres;
using Crawler.Worker.Crawling;
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
        var shared = configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>()?.Provider == StorageProvider.Postgres;
        var clustering = configuration.GetSection(ClusteringOptions.SectionName).Get<ClusteringOptions>() ?? new ClusteringOptions();
        services.AddOptions<ClusteringOptions>().Bind(configuration.GetSection(ClusteringOptions.SectionName)).ValidateAnnotationsWith<ClusteringOptions, ClusteringOptionsValidator>(ClusteringOptions.SectionName).ValidateOnStart();
        services.AddQuartz(q =>
        {
            q.SchedulerName = "crawler";
            if (shared)
            {
                // Workers on one PostgreSQL share one schedule: Quartz's clustered job store fires each tick on one
                // worker and re-fires the job of a worker that stopped checking in on another.
                q.SchedulerId = "AUTO";
                q.UsePersistentStore(store =>
                {
                    store.UseProperties = true;
                    store.PerformSchemaValidation = true;
                    store.UsePostgres(p =>
                    {
                        p.ConnectionString = configuration[$"{PostgresStoreOptions.SectionName}:{nameof(PostgresStoreOptions.ConnectionString)}"] ?? "";
                        p.TablePrefix = "qrtz_";
                    });
                    store.UseClustering(c =>
                    {
                        c.CheckinInterval = clustering.CheckinInterval;
                        c.CheckinMisfireThreshold = clustering.CheckinMisfireThreshold;
                    });
                    store.UseSerializer<StringMapSerializer>();
                });
            }

            foreach (var source in sources.Sources.Where(s => s.Enabled && !string.IsNullOrWhiteSpace(s.Name)))
            {
                var key = CrawlSourceJob.KeyFor(source.Name);
                // RequestRecovery: a run cut short by a dying worker is fired again on another one
                q.AddJob<CrawlSourceJob>(key, j => j.UsingJobData(CrawlSourceJob.SourceKey, source.Name).StoreDurably().RequestRecovery());
            }
        });
        if (shared)
        {
            // other workers' runs are helped with (and so resumed) by every worker; the job store recovers jobs
            services.AddHostedService<SharedRunHelper>();
        }
        else
        {
            services.AddHostedService<ResumeUnfinishedRuns>();
        }

        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        // after the scheduler: it reads and writes the (possibly shared) schedule
        services.AddHostedService<ScheduleSynchronizer>();
        return services;
    }
}
