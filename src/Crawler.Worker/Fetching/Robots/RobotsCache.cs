using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Options;

namespace Crawler.Worker.Fetching.Robots;

/// <summary>What robots.txt says about one URL.</summary>
public sealed record RobotsVerdict(bool Allowed, TimeSpan? CrawlDelay, DateTimeOffset? RetryAt, string? Reason)
{
    public static RobotsVerdict Allow(TimeSpan? crawlDelay = null, string? reason = null) => new(true, crawlDelay, null, reason);
}

/// <summary>
/// robots.txt per host, fetched once and kept for <see cref="FetchOptions.RobotsCacheDuration"/>. A missing (4xx)
/// file allows everything; a 5xx or 429 one means "try later": the host's pages wait
/// <see cref="FetchOptions.RobotsRetryAfter"/>. A file that is not robots.txt at all (HTML, binary) is logged and
/// treated as allow-all. When the host cannot be reached at all, the page fetch goes ahead and fails on its own, so a
/// dead host is dead-lettered with its real error instead of waiting forever.
/// </summary>
public sealed class RobotsCache(IHttpClientFactory clients, IOptionsMonitor<FetchOptions> options, TimeProvider clock, ILogger<RobotsCache> logger)
{
    private const int MaxRobotsBytes = 512 * 1024; // RFC 9309: parse at least 500 KiB
    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);

    public async Task<RobotsVerdict> CheckAsync(Uri url, CancellationToken cancellationToken)
    {
        var key = $"{url.Scheme}://{url.Authority}".ToLowerInvariant();
        var slot = _slots.GetOrAdd(key, _ => new Slot());
        var entry = slot.Entry;
        if (entry is null || entry.Expires <= clock.GetUtcNow())
        {
            await slot.Lock.WaitAsync(cancellationToken);
            try
            {
                entry = slot.Entry;
                if (entry is null || entry.Expires <= clock.GetUtcNow())
                {
                    entry = await FetchAsync(new Uri(key + "/robots.txt"), cancellationToken);
                    slot.Entry = entry;
                }
            }
            finally
            {
                slot.Lock.Release();
            }
        }

        if (entry.RetryAt is { } retryAt)
        {
            return new RobotsVerdict(false, null, retryAt, entry.Reason);
        }

        var rules = entry.Rules ?? RobotsRules.AllowAll;
        var allowed = rules.IsAllowed(url.PathAndQuery);
        return new RobotsVerdict(allowed, rules.CrawlDelay, null, allowed ? null : "disallowed by robots.txt");
    }

    /// <summary>The Sitemap: lines of a host's robots.txt.</summary>
    public async Task<IReadOnlyList<string>> GetSitemapsAsync(Uri anyUrlOfHost, CancellationToken cancellationToken)
    {
        await CheckAsync(new Uri(anyUrlOfHost, "/robots.txt"), cancellationToken);
        var key = $"{anyUrlOfHost.Scheme}://{anyUrlOfHost.Authority}".ToLowerInvariant();
        return _slots.TryGetValue(key, out var slot) && slot.Entry?.Rules is { } rules ? rules.Sitemaps : [];
    }

    private async Task<Entry> FetchAsync(Uri robotsUrl, CancellationToken cancellationToken)
    {
        var o = options.CurrentValue;
        var now = clock.GetUtcNow();
        var token = o.UserAgent.Split('/', ' ')[0];
        var http = clients.CreateClient(PageFetcher.HttpClientName);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(o.TotalTimeout);
        var current = robotsUrl;
        try
        {
            for (var hop = 0; hop <= 5; hop++)
            {
                using var response = await http.GetAsync(current, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
                var status = (int)response.StatusCode;
                if (status is >= 300 and < 400 && response.Headers.Location is { } location)
                {
                    current = location.IsAbsoluteUri ? location : new Uri(current, location);
                    continue;
                }

                if (status is 429 or >= 500)
                {
                    logger.LogWarning("robots.txt of {Host} answered {Status}: its pages wait until {RetryAt:o}", robotsUrl.Authority, status, now + o.RobotsRetryAfter);
                    return new Entry(null, now + o.RobotsRetryAfter, now + o.RobotsRetryAfter, $"robots.txt answered HTTP {status}; try later");
                }

                if (status >= 400)
                {
                    return new Entry(RobotsRules.AllowAll, now + o.RobotsCacheDuration, null, null);
                }

                var text = await ReadTextAsync(response, deadline.Token);
                var rules = RobotsRules.Parse(text, token, out var recognized);
                if (!recognized && text.Trim().Length > 0)
                {
                    logger.LogWarning("robots.txt of {Host} is not a robots file ({ContentType}); treating it as allow-all", robotsUrl.Authority, response.Content.Headers.ContentType?.MediaType);
                }

                if (rules.CrawlDelay is { } delay && delay > o.MaxCrawlDelay)
                {
                    logger.LogWarning("robots.txt of {Host} asks for a Crawl-delay of {Delay}; capped at {Max}", robotsUrl.Authority, delay, o.MaxCrawlDelay);
                }

                return new Entry(rules, now + o.RobotsCacheDuration, null, null);
            }

            return new Entry(RobotsRules.AllowAll, now + o.RobotsCacheDuration, null, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException or Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException)
        {
            // unreachable host: let the page fetch fail on its own (and be retried / dead-lettered); ask again soon
            logger.LogDebug(ex, "robots.txt of {Host} unreachable", robotsUrl.Authority);
            return new Entry(RobotsRules.AllowAll, now + TimeSpan.FromMinutes(1), null, null);
        }
    }

    private static async Task<string> ReadTextAsync(HttpResponseMessage response, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[MaxRobotsBytes];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), ct)) > 0)
        {
            total += read;
        }

        return Encoding.UTF8.GetString(buffer, 0, total);
    }

    private sealed record Entry(RobotsRules? Rules, DateTimeOffset Expires, DateTimeOffset? RetryAt, string? Reason);

    private sealed class Slot
    {
        public SemaphoreSlim Lock { get; } = new(1, 1);

        public Entry? Entry { get; set; }
    }
}
