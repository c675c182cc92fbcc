using Crawler.Storage;
using Microsoft.Extensions.Options;

namespace Crawler.Worker.Monitoring;

public static class MonitoringServiceCollectionExtensions
{
    /// <summary>The counters (always) and the health/metrics endpoint (service mode, when enabled).</summary>
    public static IServiceCollection AddCrawlerMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.AddSingleton<CrawlerMetrics>();
        return services;
    }

    public static IServiceCollection AddCrawlerMonitoring(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MonitoringOptions>().Bind(configuration.GetSection(MonitoringOptions.SectionName)).ValidateAnnotationsWith<MonitoringOptions, MonitoringOptionsValidator>(MonitoringOptions.SectionName)
            .Validate(o => System.Net.IPAddress.TryParse(o.Address, out _), "Crawler:Monitoring:Address must be an IP address (127.0.0.1, 0.0.0.0, ::).")
            .ValidateOnStart();
        services.AddHostedService<MonitoringServer>();
        return services;
    }
}
