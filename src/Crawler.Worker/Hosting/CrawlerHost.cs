using Crawler.Storage;
using Crawler.Worker.Cli;
using Crawler.Worker.Crawling;
using Crawler.Worker.Monitoring;
using Crawler.Worker.Scheduling;

namespace Crawler.Worker.Hosting;

/// <summary>What the command line decided about the host to build.</summary>
/// <param name="ConfigurationArgs">Key:Sub=value overrides, in the form the command-line configuration provider reads.</param>
/// <param name="Mode">The scheduled service, or a one-shot command.</param>
/// <param name="ConfigFile">A JSON file to read instead of the appsettings.json next to the executable.</param>
public sealed record HostSettings(string[] ConfigurationArgs, HostMode Mode, string? ConfigFile = null);

public static class CrawlerHost
{
    /// <summary>The whole composition of the worker; the tests build it the same way.</summary>
    public static IHost Build(HostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var environment = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environments.Production;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = environment,
        });

        // Sources in order of precedence (last wins): the file, its environment variant, environment variables,
        // command-line overrides. appsettings.json travels next to the binary, so the service reads the same file
        // wherever it is started from; --config names another one, which must then exist.
        var file = settings.ConfigFile is null ? Path.Combine(AppContext.BaseDirectory, "appsettings.json") : Path.GetFullPath(settings.ConfigFile);
        builder.Configuration
            .AddJsonFile(file, optional: settings.ConfigFile is null, reloadOnChange: false)
            .AddJsonFile(Path.ChangeExtension(file, $"{environment}.json"), optional: true, reloadOnChange: false)
            .AddEnvironmentVariables()
            .AddCommandLine(settings.ConfigurationArgs);

        builder.AddCrawlerLogging();
        builder.Services.AddCrawlerStorage(builder.Configuration);
        builder.Services.AddCrawling(builder.Configuration);
        builder.Services.AddCrawlerMetrics();
        if (settings.Mode == HostMode.Service)
        {
            builder.Services.AddSystemd();
            builder.Services.AddHostedService<StoreInitializer>();
            builder.Services.AddCrawlerScheduling(builder.Configuration);
            builder.Services.AddCrawlerMonitoring(builder.Configuration);
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(45));
        }

        return builder.Build();
    }
}
