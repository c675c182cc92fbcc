using System.ComponentModel.DataAnnotations;
using Crawler.Storage;
using Microsoft.Extensions.Options;

namespace Crawler.Worker.Crawling;

/// <summary>Durable retry and leasing of the crawl queue: <c>Crawler:Frontier:*</c>.</summary>
public sealed class FrontierOptions
{
    public const string SectionName = "Crawler:Frontier";

    /// <summary>Failed fetches (each after its in-call retries) before a page is dead-lettered.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Queue delay after the first failed attempt; doubles with each further failure.</summary>
    [TimeSpanRange("00:00:00", "1.00:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(5);

    [TimeSpanRange("00:00:00", "7.00:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How long a claimed page belongs to its worker; after that another may take it.</summary>
    [TimeSpanRange("00:00:01", "1.00:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A dead-lettered URL is tried again by a later run only after this long.</summary>
    [TimeSpanRange("00:00:00", "365.00:00:00")]
    public TimeSpan DeadLetterRetryAfter { get; set; } = TimeSpan.FromDays(1);

    [Range(1, 1000)]
    public int ClaimBatchSize { get; set; } = 16;

    /// <summary>On stop, how long pages in flight may take to finish before they are handed back to the queue.</summary>
    [TimeSpanRange("00:00:00", "00:10:00")]
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a run waits for a page's next retry before it stops and leaves the page to the next run.</summary>
    [TimeSpanRange("00:00:00", "1.00:00:00")]
    public TimeSpan MaxRetryWait { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>With a shared (PostgreSQL) store: how often a worker looks for runs started by others to help with.</summary>
    [TimeSpanRange("00:00:00.100", "01:00:00")]
    public TimeSpan SharedRunPollInterval { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>The data annotations above, checked by generated code (no reflection in the compiled-ahead worker).</summary>
[OptionsValidator]
internal sealed partial class FrontierOptionsValidator : IValidateOptions<FrontierOptions>;
