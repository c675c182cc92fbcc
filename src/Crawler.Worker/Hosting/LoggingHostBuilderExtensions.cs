using Serilog;
using Serilog.Events;
using Serilog.Settings.Configuration;

namespace Crawler.Worker.Hosting;

public static class LoggingHostBuilderExtensions
{
    /// <summary>The shipped appsettings.json uses the same: structured properties (Source, Url, SnapshotId...) stay visible.</summary>
    public const string DefaultTemplate = "{Timestamp:yyyy-MM-dd HH:mm:ss.fff} [{Level:u3}] {Message:lj} {Properties:j}{NewLine}{Exception}";

    /// <summary>
    /// The assemblies whose sinks, formatters and enrichers the <c>Serilog</c> section may name. Listed rather than
    /// discovered: the natively compiled worker has no dependency manifest to scan (and keeps these whole, see the csproj).
    /// </summary>
    private static readonly ConfigurationReaderOptions SettingsAssemblies = new(
        typeof(Log).Assembly,
        typeof(ConsoleLoggerConfigurationExtensions).Assembly,
        typeof(Serilog.Formatting.Compact.CompactJsonFormatter).Assembly);

    /// <summary>
    /// Serilog from the <c>Serilog</c> configuration section. Without sinks configured there: lines on stderr
    /// (stdout belongs to command output, so it can be piped), in the journal's format when systemd runs the service.
    /// </summary>
    public static HostApplicationBuilder AddCrawlerLogging(this HostApplicationBuilder builder)
    {
        var sinksConfigured = builder.Configuration.GetSection("Serilog:WriteTo").Exists();
        var levelsConfigured = builder.Configuration.GetSection("Serilog:MinimumLevel").Exists();
        builder.Services.AddSerilog((services, logger) =>
        {
            if (!levelsConfigured)
            {
                logger.MinimumLevel.Information()
                    .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
                    .MinimumLevel.Override("System", LogEventLevel.Warning)
                    .MinimumLevel.Override("Quartz", LogEventLevel.Warning)
                    // Polly logs every attempt; the fetcher's own retry line says the same with the page's URL
                    .MinimumLevel.Override("Polly", LogEventLevel.Error);
            }

            if (!sinksConfigured && Microsoft.Extensions.Hosting.Systemd.SystemdHelpers.IsSystemdService())
            {
                logger.WriteTo.Console(new JournalFormatter(), standardErrorFromLevel: LogEventLevel.Verbose);
            }
            else if (!sinksConfigured)
            {
                logger.WriteTo.Console(
                    outputTemplate: DefaultTemplate,
                    standardErrorFromLevel: LogEventLevel.Verbose,
                    formatProvider: System.Globalization.CultureInfo.InvariantCulture);
            }

            logger.ReadFrom.Configuration(builder.Configuration, SettingsAssemblies).ReadFrom.Services(services).Enrich.FromLogContext();
        });
        return builder;
    }
}
