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

/// <summary>A canonical URL asked to be crawled in a run.</summary>
public sealed record FrontierRequest(string Url, PageKind Kind, int Depth, string? DiscoveredFrom = null);

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
    DateTimeOffset LeaseUntil);

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
