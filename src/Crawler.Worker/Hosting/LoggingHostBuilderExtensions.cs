using Serilog;
using Serilog.Events;

namespace Crawler.Worker.Hosting;

public static class LoggingHostBuilderExtensions
{
    /// <summary>
    /// Serilog from the <c>Serilog</c> configuration section. Without one, plain lines on stderr: stdout belongs to
    /// command output (JSON lines, rendered snapshots) so it can be piped.
    /// </summary>
    public static HostApplicationBuilder AddCrawlerLogging(this HostApplicationBuilder builder)
    {
        var configured = builder.Configuration.GetSection("Serilog:WriteTo").Exists();
        builder.Services.AddSerilog((services, logger) =>
        {
            logger.ReadFrom.Configuration(builder.Configuration).ReadFrom.Services(services).Enrich.FromLogContext();
            if (!configured)
            {
                logger.MinimumLevel.Information()
                    .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
                    .MinimumLevel.Override("System", LogEventLevel.Warning)
                    .MinimumLevel.Override("Quartz", LogEventLevel.Warning)
                    .WriteTo.Console(standardErrorFromLevel: LogEventLevel.Verbose, formatProvider: System.Globalization.CultureInfo.InvariantCulture);
            }
        });
        return builder;
    }
}
