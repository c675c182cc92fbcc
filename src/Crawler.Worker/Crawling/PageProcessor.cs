using Crawler.Extraction;
using Crawler.Storage;
using Crawler.Storage.Frontier;
using Crawler.Storage.Snapshots;
using Crawler.Worker.Fetching;
using Crawler.Worker.Frontier;
using Crawler.Worker.Normalization;
using Crawler.Worker.Sources;
using Microsoft.Extensions.Options;

namespace Crawler.Worker.Crawling;

/// <summary>What happened to one page, for the log and the run's counters.</summary>
public enum PageDisposition
{
    Listed,
    Snapshot,
    Unchanged,
    Duplicate,
    NotArticle,
    Skipped,
    RetryScheduled,
    DeadLettered,
}

public sealed record PageReport(PageDisposition Disposition, string Url, long? SnapshotId = null, int? Version = null, string? Detail = null);

/// <summary>
/// One page through the pipeline: fetch, extract, queue its links, normalize, dedupe and store. Each step that
/// changes state is a single store transaction, so a crash at any point leaves the page either untouched (it is
/// fetched again) or settled.
/// </summary>
public sealed class PageProcessor(
    PageFetcher fetcher,
    ICrawlStore store,
    SnapshotBuilder snapshots,
    IOptions<FrontierOptions> frontierOptions,
    IOptions<ExtractionSettings> extractionSettings,
    TimeProvider clock,
    ILogger<PageProcessor> logger)
{
    private readonly FrontierOptions _frontier = frontierOptions.Value;

    public async Task<PageReport> ProcessAsync(CrawlSource source, FrontierLease lease, CancellationToken cancellationToken)
    {
        var url = new Uri(lease.Url);
        var fetch = await fetcher.FetchAsync(url, cancellationToken);
        switch (fetch.Status)
        {
            case FetchStatus.TransientFailure:
                return await FailAsync(lease, fetch.Error!, permanent: false, fetch.RetryAt);
            case FetchStatus.PermanentFailure:
                return await FailAsync(lease, fetch.Error!, permanent: true, null);
            case FetchStatus.Skipped:
                await store.CompleteAsync(lease, PageOutcome.Skipped, fetch.Error, clock.GetUtcNow(), CancellationToken.None);
                logger.LogInformation("Skipped {Url}: {Reason}", lease.Url, fetch.Error);
                return new PageReport(PageDisposition.Skipped, lease.Url, Detail: fetch.Error);
        }

        var article = Extract(source, fetch);
        var queued = await QueueLinksAsync(source, lease, article);
        if (lease.Kind != PageKind.Article)
        {
            await store.CompleteAsync(lease, PageOutcome.Listed, $"{queued} new links", clock.GetUtcNow(), CancellationToken.None);
            logger.LogInformation("Listed {Url}: {Links} links, {Queued} newly queued", lease.Url, article.Links.Count, queued);
            return new PageReport(PageDisposition.Listed, lease.Url, Detail: $"{queued} queued");
        }

        if (!article.LooksLikeArticle)
        {
            await store.CompleteAsync(lease, PageOutcome.NotArticle, "no main text", clock.GetUtcNow(), CancellationToken.None);
            logger.LogInformation("No article text at {Url}", lease.Url);
            return new PageReport(PageDisposition.NotArticle, lease.Url);
        }

        var snapshot = snapshots.Build(source, article, CanonicalFor(source, article, fetch), lease.Url, fetch.FinalUrl.AbsoluteUri);
        var saved = await store.SaveSnapshotAsync(snapshot, lease, clock.GetUtcNow(), CancellationToken.None);
        return Report(saved, lease.Url);
    }

    /// <summary>Fetches, normalizes and stores one page outside any run (<c>--url</c>).</summary>
    public async Task<(PageReport Report, FetchResult Fetch)> ProcessOneAsync(CrawlSource source, Uri url, CancellationToken cancellationToken)
    {
        var fetch = await fetcher.FetchAsync(url, cancellationToken);
        if (fetch.Status != FetchStatus.Ok)
        {
            var disposition = fetch.Status == FetchStatus.Skipped ? PageDisposition.Skipped : PageDisposition.DeadLettered;
            return (new PageReport(disposition, url.AbsoluteUri, Detail: fetch.Error), fetch);
        }

        var article = Extract(source, fetch);
        if (!article.LooksLikeArticle)
        {
            return (new PageReport(PageDisposition.NotArticle, url.AbsoluteUri, Detail: "no main text"), fetch);
        }

        var snapshot = snapshots.Build(source, article, CanonicalFor(source, article, fetch), url.AbsoluteUri, fetch.FinalUrl.AbsoluteUri);
        var saved = await store.SaveSnapshotAsync(snapshot, null, clock.GetUtcNow(), CancellationToken.None);
        return (Report(saved, url.AbsoluteUri), fetch);
    }

    private ExtractedArticle Extract(CrawlSource source, FetchResult fetch)
    {
        var extractor = new ArticleExtractor(new ExtractionOptions
        {
            DefaultTimeZone = source.TimeZone,
            MinArticleLength = extractionSettings.Value.MinArticleLength,
        });
        return extractor.Extract(fetch.Body ?? [], fetch.Charset, fetch.FinalUrl);
    }

    private PageReport Report(SnapshotWriteResult saved, string url)
    {
        var disposition = saved.Outcome switch
        {
            SnapshotWriteOutcome.Created => PageDisposition.Snapshot,
            SnapshotWriteOutcome.Unchanged => PageDisposition.Unchanged,
            _ => PageDisposition.Duplicate,
        };
        using (logger.BeginScope(new Dictionary<string, object> { ["SnapshotId"] = saved.SnapshotId }))
        {
            logger.LogInformation("{Outcome} {Url}: snapshot {SnapshotId} version {Version}", disposition, url, saved.SnapshotId, saved.Version);
        }

        return new PageReport(disposition, url, saved.SnapshotId, saved.Version);
    }

    private async Task<int> QueueLinksAsync(CrawlSource source, FrontierLease lease, ExtractedArticle article)
    {
        var depth = lease.Depth + 1;
        if (depth > source.Options.MaxDepth)
        {
            return 0;
        }

        var requests = new List<FrontierRequest>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var link in article.Links)
        {
            if (link.NoFollow || UrlCanonicalizer.TryCanonicalize(link.Url) is not { } url || !source.IsInScope(url) || !source.IsArticleUrl(url))
            {
                continue;
            }

            if (url.AbsoluteUri != lease.Url && seen.Add(url.AbsoluteUri))
            {
                requests.Add(new FrontierRequest(url.AbsoluteUri, PageKind.Article, depth, lease.Url));
            }
        }

        return await store.EnqueueAsync(lease.RunId, source.Name, requests, source.Options.MaxPages, _frontier.DeadLetterRetryAfter, clock.GetUtcNow(), CancellationToken.None);
    }

    /// <summary>The page's own &lt;link rel=canonical&gt; when it stays on the source's hosts, else the URL fetched.</summary>
    private static string CanonicalFor(CrawlSource source, ExtractedArticle article, FetchResult fetch)
    {
        if (article.CanonicalUrl is { } declared && UrlCanonicalizer.TryCanonicalize(declared) is { } canonical && source.IsInScope(canonical))
        {
            return canonical.AbsoluteUri;
        }

        return (UrlCanonicalizer.Canonicalize(fetch.FinalUrl) ?? fetch.FinalUrl).AbsoluteUri;
    }

    private async Task<PageReport> FailAsync(FrontierLease lease, string error, bool permanent, DateTimeOffset? retryAt)
    {
        var policy = permanent
            ? new RetryPolicy(1, TimeSpan.Zero, TimeSpan.Zero)
            : new RetryPolicy(_frontier.MaxAttempts, _frontier.RetryBaseDelay, _frontier.RetryMaxDelay);
        var result = await store.RecordFailureAsync(lease, error, policy, retryAt, clock.GetUtcNow(), CancellationToken.None);
        if (result.Disposition == FailureDisposition.DeadLettered)
        {
            logger.LogError("Dead-lettered {Url} after {Attempt} attempt(s): {Error}", lease.Url, result.Attempts, error);
            return new PageReport(PageDisposition.DeadLettered, lease.Url, Detail: error);
        }

        logger.LogWarning("Fetch of {Url} failed (attempt {Attempt}), back in the queue until {NextAttempt:o}: {Error}", lease.Url, result.Attempts, result.NextAttemptAt, error);
        return new PageReport(PageDisposition.RetryScheduled, lease.Url, Detail: error);
    }
}
