using System.ComponentModel.DataAnnotations;
using Crawler.Storage;
using Microsoft.Extensions.Options;

namespace Crawler.Worker.Fetching;

/// <summary>How pages are fetched: <c>Crawler:Fetch:*</c>.</summary>
public sealed class FetchOptions
{
    public const string SectionName = "Crawler:Fetch";

    /// <summary>Sent with every request; say who you are and where to complain.</summary>
    [Required(AllowEmptyStrings = false)]
    public string UserAgent { get; set; } = "CrawlerSnapshotBot/1.0 (+https://github.com/crawler-snapshot/crawler)";

    /// <summary>One HTTP attempt (connect to last header byte).</summary>
    [TimeSpanRange("00:00:00.100", "00:10:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A whole page: every attempt, every redirect and the body.</summary>
    [TimeSpanRange("00:00:00.500", "01:00:00")]
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Retries inside one fetch on transient failures (5xx, 408, 429, timeouts, resets).</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 2;

    /// <summary>First backoff of the in-call retries; doubles each time, with jitter.</summary>
    [TimeSpanRange("00:00:00", "00:05:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A Retry-After longer than this is not waited out in the call: the page goes back to the queue until then.</summary>
    [TimeSpanRange("00:00:00", "01:00:00")]
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    [Range(1024, 1024L * 1024 * 1024)]
    public long MaxBodyBytes { get; set; } = 5 * 1024 * 1024;

    [Range(0, 30)]
    public int MaxRedirects { get; set; } = 10;

    /// <summary>Pages in flight at once across all hosts.</summary>
    [Range(1, 1024)]
    public int MaxConcurrency { get; set; } = 8;

    /// <summary>Requests in flight at once to one host.</summary>
    [Range(1, 64)]
    public int PerHostConcurrency { get; set; } = 2;

    /// <summary>Minimum time between two requests to one host.</summary>
    [TimeSpanRange("00:00:00", "00:10:00")]
    public TimeSpan PerHostDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Let the crawler connect to private, loopback and link-local addresses. Off by default: a crawled page must not
    /// be able to steer it at the operator's own network (SSRF). Tests and local demos set it.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>Addresses or CIDR networks reachable even when private networks are not.</summary>
    public List<string> PrivateNetworkAllowList { get; set; } = [];

    /// <summary>Read and obey robots.txt (per source, <c>Crawler:Sources:N:IgnoreRobots</c> may turn it off).</summary>
    public bool RespectRobots { get; set; } = true;

    /// <summary>How long a host's robots.txt is trusted before it is fetched again.</summary>
    [TimeSpanRange("00:00:01", "7.00:00:00")]
    public TimeSpan RobotsCacheDuration { get; set; } = TimeSpan.FromHours(12);

    /// <summary>After a 5xx or unreachable robots.txt, pages of that host wait this long ("try later").</summary>
    [TimeSpanRange("00:00:00", "1.00:00:00")]
    public TimeSpan RobotsRetryAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The longest Crawl-delay honoured; a larger one is capped (and logged) rather than stalling a host for hours.</summary>
    [TimeSpanRange("00:00:00", "01:00:00")]
    public TimeSpan MaxCrawlDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Per-host circuit breaker: failure ratio over the sampling window that opens it.</summary>
    [Range(0.01, 1.0)]
    public double BreakerFailureRatio { get; set; } = 0.5;

    [Range(2, 10000)]
    public int BreakerMinimumThroughput { get; set; } = 20;

    [TimeSpanRange("00:00:00.500", "01:00:00")]
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>The data annotations above, checked by generated code (no reflection in the compiled-ahead worker).</summary>
[OptionsValidator]
internal sealed partial class FetchOptionsValidator : IValidateOptions<FetchOptions>;
