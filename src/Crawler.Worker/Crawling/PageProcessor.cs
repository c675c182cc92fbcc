using Crawler.Extraction;
using Crawler.Storage;
using Crawler.Storage.Archive;
using Crawler.Storage.Frontier;
using Crawler.Storage.Snapshots;
using Crawler.Worker.Discovery;
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
    Deferred,
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
    IOptions<FetchOptions> fetchOptions,
    ICrawlStore store,
    SnapshotBuilder snapshots,
    IOptions<FrontierOptions> frontierOptions,
    IOptions<ExtractionSettings> extractionSettings,
    TimeProvider clock,
    ILogger<PageProcessor> logger)
{
    private readonly FrontierOptions _frontier = frontierOptions.Value;

    /// <summary>Time per stage of the pages this processor handled (one processor serves one run).</summary>
    public StageTimings Timings { get; } = new();

    public async Task<PageReport> ProcessAsync(CrawlSource source, FrontierLease lease, CancellationToken cancellationToken)
    {
        var url = new Uri(lease.Url);
        var isArticle = lease.Kind == PageKind.Article;
        // seeds are always fetched whole: they are where new articles are found
        var policy = new FetchPolicy(RespectRobots(source), isArticle ? lease.Validators : null, AcceptFeeds: !isArticle);
        var fetch = await Timings.TimeFetchAsync(() => fetcher.FetchAsync(url, policy, cancellationToken));
        switch (fetch.Status)
        {
            case FetchStatus.NotModified:
                await store.CompleteAsync(lease, PageOutcome.Unchanged, "304 not modified", clock.GetUtcNow(), CancellationToken.None);
                logger.LogInformation("Unchanged {Url}: 304 not modified", lease.Url);
                return new PageReport(PageDisposition.Unchanged, lease.Url, Detail: "304 not modified");
            case FetchStatus.Deferred:
                await store.DeferAsync(lease, fetch.RetryAt!.Value, fetch.Error!, CancellationToken.None);
                logger.LogInformation("Deferred {Url} until {RetryAt:o}: {Reason}", lease.Url, fetch.RetryAt, fetch.Error);
                return new PageReport(PageDisposition.Deferred, lease.Url, Detail: fetch.Error);
            case FetchStatus.TransientFailure:
                return await FailAsync(lease, fetch.Error!, permanent: false, fetch.RetryAt);
            case FetchStatus.PermanentFailure:
                return await FailAsync(lease, fetch.Error!, permanent: true, null);
            case FetchStatus.Skipped:
                await store.CompleteAsync(lease, PageOutcome.Skipped, fetch.Error, clock.GetUtcNow(), CancellationToken.None);
                logger.LogInformation("Skipped {Url}: {Reason}", lease.Url, fetch.Error);
                return new PageReport(PageDisposition.Skipped, lease.Url, Detail: fetch.Error);
        }

        if (!isArticle && FeedReader.TryRead(fetch.Body!, fetch.FinalUrl, fetchOptions.Value.MaxBodyBytes, out var kind, out var feedLinks))
        {
            var fromFeed = await QueueFeedLinksAsync(source, lease, feedLinks);
            await store.CompleteAsync(lease, PageOutcome.Listed, $"{kind}: {fromFeed} new links", clock.GetUtcNow(), CancellationToken.None);
            logger.LogInformation("Listed {Url} ({Kind}): {Links} links, {Queued} newly queued", lease.Url, kind, feedLinks.Count, fromFeed);
            return new PageReport(PageDisposition.Listed, lease.Url, Detail: $"{fromFeed} queued");
        }

        var article = Extract(source, fetch);
        var queued = await QueueLinksAsync(source, lease, article);
        if (!isArticle)
        {
            await store.CompleteAsync(lease, PageOutcome.Listed, $"{queued} new links", clock.GetUtcNow(), CancellationToken.None);
            logger.LogInformation("Listed {Url}: {Links} links, {Queued} newly queued", lease.Url, article.Links.Count, queued);
            return new PageReport(PageDisposition.Listed, lease.Url, Detail: $"{queued} queued");
        }

        // from here on the page was fetched whole: its validators are kept with whatever settles it
        lease = WithValidatorsOf(lease, fetch);
        if (!article.LooksLikeArticle)
        {
            await store.CompleteAsync(lease, PageOutcome.NotArticle, "no main text", clock.GetUtcNow(), CancellationToken.None);
            logger.LogInformation("No article text at {Url}", lease.Url);
            return new PageReport(PageDisposition.NotArticle, lease.Url);
        }

        var canonical = CanonicalFor(source, article, fetch);
        var snapshot = Timings.TimeDedupe(() => snapshots.Build(source, article, canonical, lease.Url, fetch.FinalUrl.AbsoluteUri)) with { Raw = fetch.ToRawCapture() };
        if (await SkippedAsNearDuplicateAsync(source, snapshot, lease) is { } skipped)
        {
            return skipped;
        }

        var saved = await Timings.TimeStoreAsync(() => store.SaveSnapshotAsync(snapshot, lease, clock.GetUtcNow(), CancellationToken.None));
        return Report(saved, lease.Url);
    }

    private bool RespectRobots(CrawlSource source) => fetchOptions.Value.RespectRobots && !source.Options.IgnoreRobots;

    /// <summary>A response without validators keeps the ones the URL had.</summary>
    private static FrontierLease WithValidatorsOf(FrontierLease lease, FetchResult fetch) =>
        fetch.Validators is { } validators ? lease with { Validators = validators } : lease;

    private async Task<int> QueueFeedLinksAsync(CrawlSource source, FrontierLease lease, IReadOnlyList<FeedLink> links)
    {
        var requests = new List<FrontierRequest>();
        foreach (var link in links)
        {
            if (UrlCanonicalizer.Canonicalize(link.Url) is not { } url || !source.IsInScope(url) || source.IsExcluded(url))
            {
                continue;
            }

            if (link.IsSitemap)
            {
                // a child of a sitemap index is another list, at the same depth
                requests.Add(new FrontierRequest(url.AbsoluteUri, PageKind.List, lease.Depth, lease.Url));
            }
            else if (lease.Depth + 1 <= source.Options.MaxDepth && source.IsArticleUrl(url))
            {
                requests.Add(new FrontierRequest(url.AbsoluteUri, PageKind.Article, lease.Depth + 1, lease.Url, link.LastModified));
            }
        }

        return await store.EnqueueAsync(lease.RunId, source.Name, requests, source.Options.MaxPages, _frontier.DeadLetterRetryAfter, clock.GetUtcNow(), CancellationToken.None);
    }

    /// <summary>Fetches, normalizes and stores one page outside any run (<c>--url</c>).</summary>
    public async Task<(PageReport Report, FetchResult Fetch)> ProcessOneAsync(CrawlSource source, Uri url, CancellationToken cancellationToken)
    {
        var canonical = (UrlCanonicalizer.Canonicalize(url) ?? url).AbsoluteUri;
        if ((await store.GetTakedownsAsync(CancellationToken.None)).FirstOrDefault(t => new Storage.Archive.TakedownPattern(t.Pattern).Matches(canonical)) is { } takedown)
        {
            return (new PageReport(PageDisposition.Skipped, url.AbsoluteUri, Detail: $"taken down ({takedown.Pattern}, {takedown.At:yyyy-MM-dd})"), FetchResult.Failed(FetchStatus.Skipped, url, url, null, "taken down", []));
        }

        var fetch = await fetcher.FetchAsync(url, new FetchPolicy(RespectRobots(source)), cancellationToken);
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

        var snapshot = snapshots.Build(source, article, CanonicalFor(source, article, fetch), url.AbsoluteUri, fetch.FinalUrl.AbsoluteUri) with { Raw = fetch.ToRawCapture() };
        if (await SkippedAsNearDuplicateAsync(source, snapshot, null) is { } skipped)
        {
            return (skipped, fetch);
        }

        var saved = await store.SaveSnapshotAsync(snapshot, null, clock.GetUtcNow(), CancellationToken.None);
        return (Report(saved, url.AbsoluteUri), fetch);
    }

    /// <summary>
    /// Rebuilds a stored page from its raw capture with the current extractor, without fetching (<c>--reextract</c>):
    /// a new version only if the content came out different.
    /// </summary>
    public async Task<PageReport> ReextractAsync(CrawlSource source, Snapshot stored, RawCapture raw, CancellationToken cancellationToken)
    {
        var article = Extractor(source).Extract(raw.Body, raw.Charset, new Uri(raw.TargetUrl));
        if (!article.LooksLikeArticle)
        {
            return new PageReport(PageDisposition.NotArticle, stored.CanonicalUrl, stored.Id, stored.Version, "no main text with the current extractor; kept as it was");
        }

        var snapshot = snapshots.Build(source, article, stored.CanonicalUrl, stored.OriginalUrl, stored.FinalUrl) with { Raw = raw };
        return Report(await store.SaveSnapshotAsync(snapshot, null, clock.GetUtcNow(), cancellationToken), stored.CanonicalUrl);
    }

    /// <summary>
    /// With <c>NearDuplicates = Skip</c>: a page nearly repeating another URL's snapshot is not stored, only linked
    /// to it. Checked before the store's transaction: two copies saved at the same moment may both be kept, never
    /// one lost. Identical content is left to the store, which links it exactly.
    /// </summary>
    private async Task<PageReport?> SkippedAsNearDuplicateAsync(CrawlSource source, Snapshot snapshot, FrontierLease? lease)
    {
        if (source.Options.NearDuplicatePolicy != NearDuplicatePolicy.Skip || snapshot.SimHash is not { } fingerprint
            || await Timings.TimeDedupeAsync(() => store.FindNearDuplicateAsync(fingerprint, snapshot.CanonicalUrl, CancellationToken.None)) is not { } near
            || near.ContentHash == snapshot.ContentHash)
        {
            return null;
        }

        var detail = $"near duplicate of snapshot {near.SnapshotId} ({near.CanonicalUrl}, {near.Distance} bits apart): skipped";
        await store.RecordNearDuplicateAsync(snapshot.CanonicalUrl, source.Name, near.SnapshotId, lease, detail, clock.GetUtcNow(), CancellationToken.None);
        logger.LogInformation("Skipped {Url}: {Detail}", snapshot.OriginalUrl, detail);
        return new PageReport(PageDisposition.Duplicate, snapshot.OriginalUrl, near.SnapshotId, Detail: detail);
    }

    private ExtractedArticle Extract(CrawlSource source, FetchResult fetch) =>
        Timings.TimeExtract(() => Extractor(source).Extract(fetch.Body ?? [], fetch.Charset, fetch.FinalUrl));

    private ArticleExtractor Extractor(CrawlSource source) => new(new ExtractionOptions
    {
        DefaultTimeZone = source.TimeZone,
        MinArticleLength = extractionSettings.Value.MinArticleLength,
    });

    private PageReport Report(SnapshotWriteResult saved, string url)
    {
        var disposition = saved.Outcome switch
        {
            SnapshotWriteOutcome.Created => PageDisposition.Snapshot,
            SnapshotWriteOutcome.Unchanged => PageDisposition.Unchanged,
            _ => PageDisposition.Duplicate,
        };
        var detail = saved.NearDuplicateOf is { } near ? $"near duplicate of snapshot {near}" : null;
        using (logger.BeginScope(new Dictionary<string, object> { ["SnapshotId"] = saved.SnapshotId }))
        {
            logger.LogInformation("{Outcome} {Url}: snapshot {SnapshotId} version {Version}{Near}", disposition, url, saved.SnapshotId, saved.Version, detail is null ? "" : ", " + detail);
        }

        return new PageReport(disposition, url, saved.SnapshotId, saved.Version, detail);
    }

    private async Task<int> QueueLinksAsync(CrawlSource source, FrontierLease lease, ExtractedArticle article)
    {
        var depth = lease.Depth + 1;
        var followsArticles = depth <= source.Options.MaxDepth;
        // pagination is followed from list pages only, so articles cannot lead the crawl across the site
        var followsLists = lease.Kind != PageKind.Article && source.Follow is not null;
        if (!followsArticles && !followsLists)
        {
            return 0;
        }

        var requests = new List<FrontierRequest>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var link in article.Links)
        {
            if (link.NoFollow || UrlCanonicalizer.TryCanonicalize(link.Url) is not { } url || !source.IsInScope(url)
                || url.AbsoluteUri == lease.Url || !seen.Add(url.AbsoluteUri))
            {
                continue;
            }

            if (followsArticles && source.IsArticleUrl(url))
            {
                requests.Add(new FrontierRequest(url.AbsoluteUri, PageKind.Article, depth, lease.Url));
            }
            else if (followsLists && source.IsListUrl(url))
            {
                requests.Add(new FrontierRequest(url.AbsoluteUri, PageKind.List, lease.Depth, lease.Url));
            }
        }

        return await Timings.TimeStoreAsync(() => store.EnqueueAsync(lease.RunId, source.Name, requests, source.Options.MaxPages, _frontier.DeadLetterRetryAfter, clock.GetUtcNow(), CancellationToken.None));
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
