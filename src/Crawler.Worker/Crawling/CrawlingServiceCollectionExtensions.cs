using Crawler.Storage;
using Crawler.Worker.Fetching;
using Crawler.Worker.Normalization;
using Crawler.Worker.Sources;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Crawler.Worker.Crawling;

public static class CrawlingServiceCollectionExtensions
{
    /// <summary>Sources, fetching, extraction, normalization and the run loop, each with options validated at start.</summary>
    public static IServiceCollection AddCrawling(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<SourcesOptions>().Bind(configuration.GetSection(SourcesOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SourcesOptions>, SourcesOptionsValidator>();
        services.AddOptions<SnapshotOptions>().Bind(configuration.GetSection(SnapshotOptions.SectionName)).ValidateAnnotationsWith<SnapshotOptions, SnapshotOptionsValidator>(SnapshotOptions.SectionName)
            .Validate(o => TimeZoneInfo.TryFindSystemTimeZoneById(o.TimeZone, out _), "Crawler:Snapshot:TimeZone is not a known time zone id (use IANA ids such as 'Asia/Shanghai').")
            .ValidateOnStart();
        services.AddOptions<FrontierOptions>().Bind(configuration.GetSection(FrontierOptions.SectionName)).ValidateAnnotationsWith<FrontierOptions, FrontierOptionsValidator>(FrontierOptions.SectionName).ValidateOnStart();
        services.AddOptions<ExtractionSettings>().Bind(configuration.GetSection(ExtractionSettings.SectionName)).ValidateAnnotationsWith<ExtractionSettings, ExtractionSettingsValidator>(ExtractionSettings.SectionName).ValidateOnStart();

        services.AddFetching(configuration);
        services.AddSingleton<SourceCatalog>();
        services.AddSingleton<WorkerIdentity>();
        services.AddSingleton<SnapshotBuilder>();
        services.AddSingleton<SnapshotTextRenderer>();
        services.AddSingleton<LeaseRecovery>();
        services.AddSingleton<ActiveRuns>();
        services.AddTransient<PageProcessor>();
        services.AddTransient<CrawlRunner>();
        return services;
    }
}
