namespace Crawler.Storage.Frontier;

/// <summary>Why a URL is in the frontier: seeds and list pages are read for links, articles become snapshots.</summary>
public enum PageKind
{
    Seed,
    List,
    Article,
}

public enum FrontierState
{
    Pending,
    Leased,
    Done,
    Dead,
}

/// <summary>How a page left the frontier successfully.</summary>
public enum PageOutcome
{
    Listed,
    Snapshot,
    Unchanged,
    Duplicate,
    NotArticle,
    Skipped,
}

/// <summary>
/// A canonical URL asked to be crawled in a run. <paramref name="LastModified"/> (from a sitemap or feed) lets the
/// store skip a page fetched since.
/// </summary>
public sealed record FrontierRequest(string Url, PageKind Kind, int Depth, string? DiscoveredFrom = null, DateTimeOffset? LastModified = null)
{
    /// <summary>host[:port] as the frontier keys politeness: lower-case authority of the URL.</summary>
    public string Host => Uri.TryCreate(Url, UriKind.Absolute, out var u) ? u.Authority.ToLowerInvariant() : "";
}

/// <summary>What the server said identifies the version it sent, for a conditional GET next time.</summary>
public sealed record HttpValidators(string? ETag, string? LastModified)
{
    public bool IsEmpty => ETag is null && LastModified is null;
}

/// <summary>A page claimed by one worker until <see cref="LeaseUntil"/>; only the owner may settle it.</summary>
public sealed record FrontierLease(
    long Id,
    long RunId,
    string Source,
    string Url,
    PageKind Kind,
    int Depth,
    int Attempts,
    string Owner,
    DateTimeOffset LeaseUntil)
{
    /// <summary>
    /// Validators for the next conditional GET of this URL. As claimed: those of the last whole fetch, if the server sent
    /// any. Settling a lease stores the lease's validators in the same transaction, so a processor that fetched the page
    /// whole settles <c>lease with { Validators = ... }</c>: the page and its validators are kept together or not at all,
    /// and a crash can never leave a "not modified" answer for a page that was never stored.
    /// </summary>
    public HttpValidators? Validators { get; init; }
}

/// <summary>When a failed page is tried again, and how often before it is dead-lettered.</summary>
public sealed record RetryPolicy(int MaxAttempts, TimeSpan BaseDelay, TimeSpan MaxDelay)
{
    /// <summary>Exponential: base, 2x base, 4x base ... capped, for the attempt that just failed (1-based).</summary>
    public TimeSpan DelayAfter(int failedAttempt)
    {
        var factor = Math.Pow(2, Math.Clamp(failedAttempt - 1, 0, 30));
        var delay = TimeSpan.FromMilliseconds(BaseDelay.TotalMilliseconds * factor);
        return delay < MaxDelay ? delay : MaxDelay;
    }
}

public enum FailureDisposition
{
    RetryScheduled,
    DeadLettered,
}

public sealed record FailureResult(FailureDisposition Disposition, int Attempts, DateTimeOffset? NextAttemptAt);

/// <summary>A dead-lettered or still-failing page, for operators.</summary>
public sealed record FrontierFailure(string Source, string Url, FrontierState State, int Attempts, string? LastError, DateTimeOffset UpdatedAt);
