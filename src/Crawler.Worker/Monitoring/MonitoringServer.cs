using System.Globalization;
using System.Net;
using System.Text;
using Crawler.Storage;
using Crawler.Worker.Crawling;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Quartz;

namespace Crawler.Worker.Monitoring;

/// <summary>
/// A small Kestrel server beside the worker: <c>GET /health</c> answers 200 when the store answers and the scheduler
/// runs (503 with the reason otherwise), <c>GET /metrics</c> the counters in the Prometheus text format.
/// </summary>
public sealed class MonitoringServer(
    IOptions<MonitoringOptions> options,
    ICrawlStore store,
    ISchedulerFactory schedulers,
    CrawlerMetrics metrics,
    ILogger<MonitoringServer> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (!o.Enabled)
        {
            return;
        }

        // an empty builder: none of ASP.NET's environment conventions (ASPNETCORE_HTTP_PORTS in the official images)
        // move this endpoint; only Crawler:Monitoring does
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Parse(o.Address), o.Port));
        builder.Services.AddRoutingCore();
        _app = builder.Build();
        _app.UseRouting();
        // plain request delegates: the handler-binding MapGet overloads compile code at run time
        _app.MapGet("/health", async context => await (await HealthAsync(context.RequestAborted)).ExecuteAsync(context));
        _app.MapGet("/metrics", async context => await (await MetricsAsync(context.RequestAborted)).ExecuteAsync(context));
        await _app.StartAsync(cancellationToken);
        logger.LogInformation("Health and metrics on http://{Address}:{Port}/health and /metrics", o.Address, o.Port);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private async Task<IResult> HealthAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        if (!scheduler.IsStarted || scheduler.IsShutdown || scheduler.InStandbyMode)
        {
            return Results.Text("scheduler not running\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        try
        {
            var stats = await store.GetStatsAsync(cancellationToken);
            return Results.Text(string.Create(CultureInfo.InvariantCulture, $"ok: {stats.Snapshots} snapshots, {stats.QueueDepth} queued\n"));
        }
        catch (StoreUnavailableException ex)
        {
            return Results.Text($"store unavailable: {ex.Message}\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private async Task<IResult> MetricsAsync(CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        void Metric(string name, string type, string help, IEnumerable<(string Labels, double Value)> samples)
        {
            text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {type}\n");
            foreach (var (labels, value) in samples)
            {
                text.Append(CultureInfo.InvariantCulture, $"{name}{labels} {value}\n");
            }
        }

        long Sum(params PageDisposition[] outcomes) => outcomes.Sum(metrics.Pages);

        Metric("crawler_pages_total", "counter", "Pages processed by this worker, by outcome.",
            Enum.GetValues<PageDisposition>().Select(d => ($"{{outcome=\"{CrawlerMetrics.Label(d)}\"}}", (double)metrics.Pages(d))));
        Metric("crawler_pages_fetched_total", "counter", "Pages fetched (any outcome but deferral).",
            [("", Enum.GetValues<PageDisposition>().Where(d => d != PageDisposition.Deferred).Sum(metrics.Pages))]);
        Metric("crawler_fetch_failures_total", "counter", "Failed page attempts (retried later or dead-lettered).",
            [("", Sum(PageDisposition.RetryScheduled, PageDisposition.DeadLettered))]);
        Metric("crawler_fetch_retries_total", "counter", "HTTP attempts repeated within a fetch after a transient failure.", [("", metrics.Retries)]);
        Metric("crawler_dedupe_hits_total", "counter", "Pages whose content was already stored (unchanged or duplicate).",
            [("", Sum(PageDisposition.Unchanged, PageDisposition.Duplicate))]);
        Metric("crawler_snapshots_created_total", "counter", "New snapshots stored by this worker.", [("", metrics.Pages(PageDisposition.Snapshot))]);
        try
        {
            var stats = await store.GetStatsAsync(cancellationToken);
            Metric("crawler_queue_depth", "gauge", "Pages waiting or in flight in unfinished runs (whole store).", [("", stats.QueueDepth)]);
            Metric("crawler_dead_letters", "gauge", "Pages given up on (whole store).", [("", stats.DeadLettered)]);
            Metric("crawler_snapshots", "gauge", "Snapshots in the store, every version counted.", [("", stats.Snapshots)]);
            Metric("crawler_store_up", "gauge", "1 when the store answered this scrape.", [("", 1)]);
        }
        catch (StoreUnavailableException)
        {
            Metric("crawler_store_up", "gauge", "1 when the store answered this scrape.", [("", 0)]);
        }

        return Results.Text(text.ToString(), "text/plain; version=0.0.4; charset=utf-8");
    }
}
