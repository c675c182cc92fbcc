using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Crawler.Worker.Crawling;

namespace Crawler.Worker.Monitoring;

/// <summary>
/// The worker's counters, as <see cref="System.Diagnostics.Metrics"/> instruments (meter <c>Crawler</c>, readable by
/// OpenTelemetry and dotnet-counters) and as running totals for the Prometheus text the monitoring endpoint serves.
/// Counts are per process; a collector sums them over workers.
/// </summary>
public sealed class CrawlerMetrics : IDisposable
{
    public const string MeterName = "Crawler";

    private readonly Meter _meter;
    private readonly Counter<long> _pages;
    private readonly Counter<long> _retries;
    private readonly ConcurrentDictionary<PageDisposition, long> _pageTotals = new();
    private long _retryTotal;

    public CrawlerMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _meter = meters.Create(MeterName);
        _pages = _meter.CreateCounter<long>("crawler.pages", "{page}", "Pages processed, by outcome");
        _retries = _meter.CreateCounter<long>("crawler.fetch.retries", "{retry}", "HTTP attempts repeated after a transient failure");
    }

    public void PageProcessed(PageDisposition disposition)
    {
        _pageTotals.AddOrUpdate(disposition, 1, (_, n) => n + 1);
        _pages.Add(1, new KeyValuePair<string, object?>("outcome", Label(disposition)));
    }

    public void FetchRetried()
    {
        Interlocked.Increment(ref _retryTotal);
        _retries.Add(1);
    }

    public long Pages(PageDisposition disposition) => _pageTotals.GetValueOrDefault(disposition);

    public IReadOnlyDictionary<PageDisposition, long> PageTotals => _pageTotals;

    public long Retries => Interlocked.Read(ref _retryTotal);

    public static string Label(PageDisposition disposition) => disposition switch
    {
        PageDisposition.NotArticle => "not_article",
        PageDisposition.RetryScheduled => "retry_scheduled",
        PageDisposition.DeadLettered => "dead_lettered",
        _ => disposition.ToString().ToLowerInvariant(),
    };

    public void Dispose() => _meter.Dispose();
}
