using Crawler.Storage.Archive;
using Crawler.Storage.Dedupe;
using Crawler.Storage.Frontier;
using Crawler.Storage.Runs;
using Crawler.Storage.Snapshots;

namespace Crawler.Storage;

/// <summary>
/// Everything the crawler keeps: runs, the frontier (crawl queue) and snapshots. The pipeline talks only to this
/// interface; every state change that must survive a crash is one transaction here.
/// </summary>
public interface ICrawlStore
{
    /// <summary>Brings the schema up to date. Safe to call on every start.</summary>
    Task MigrateAsync(CancellationToken cancellationToken = default);

    /// <summary>Returns the source's unfinished run (after a crash or stop) or starts a new one.</summary>
    Task<CrawlRun> StartOrResumeRunAsync(string source, DateTimeOffset now, CancellationToken cancellationToken = default);

    Task FinishRunAsync(long runId, DateTimeOffset now, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<CrawlRun>> GetUnfinishedRunsAsync(CancellationToken cancellationToken = default);

    Task<RunTally> GetRunTallyAsync(long runId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Queues URLs for a run. A URL already queued or crawled in this run is left alone; one crawled in an earlier
    /// run is queued again (to see whether it changed); a dead-lettered one only after <paramref name="deadLetterRetryAfter"/>.
    /// At most <paramref name="maxPages"/> URLs belong to one run. Returns how many were newly queued.
    /// </summary>
    Task<int> EnqueueAsync(
        long runId,
        string source,
        IReadOnlyCollection<FrontierRequest> requests,
        int maxPages,
        TimeSpan deadLetterRetryAfter,
        DateTimeOffset now,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Leases up to <paramref name="max"/> due pages of the run, including pages whose earlier lease expired, passing
    /// over pages of <paramref name="busyHosts"/> (hosts that already have enough requests in flight). With a
    /// <paramref name="hostInterval"/>, a store shared by several processes also keeps each host's next allowed time
    /// and leases at most one page per host per interval, so politeness holds across workers; a store that serves
    /// one process (SQLite) leaves the spacing to that process.
    /// </summary>
    Task<IReadOnlyList<FrontierLease>> ClaimAsync(
        long runId,
        int max,
        string owner,
        TimeSpan leaseFor,
        DateTimeOffset now,
        IReadOnlyCollection<string>? busyHosts = null,
        TimeSpan hostInterval = default,
        CancellationToken cancellationToken = default);

    /// <summary>Puts a page back until <paramref name="until"/> without counting an attempt (robots.txt unreachable, politeness).</summary>
    Task DeferAsync(FrontierLease lease, DateTimeOffset until, string reason, CancellationToken cancellationToken = default);

    /// <summary>When the next pending page of the run is due, or null when the run has nothing left to do.</summary>
    Task<DateTimeOffset?> GetNextDueAsync(long runId, CancellationToken cancellationToken = default);

    /// <summary>Gives a page back untouched (shutdown): pending again, no attempt counted.</summary>
    Task ReleaseAsync(FrontierLease lease, CancellationToken cancellationToken = default);

    /// <summary>Gives back every lease held by these owners (workers known to be dead). Returns how many.</summary>
    Task<int> ReleaseLeasesOfAsync(IReadOnlyCollection<string> owners, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<string>> GetLeaseOwnersAsync(CancellationToken cancellationToken = default);

    /// <summary>Counts a failed attempt: the page is retried later with a growing delay or dead-lettered.</summary>
    Task<FailureResult> RecordFailureAsync(
        FrontierLease lease,
        string error,
        RetryPolicy policy,
        DateTimeOffset? notBefore,
        DateTimeOffset now,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Marks a leased page done without a snapshot (a list page, not an article, skipped). Like every call that settles
    /// a lease, it also stores <see cref="FrontierLease.Validators"/> for the next conditional GET.
    /// </summary>
    Task CompleteAsync(FrontierLease lease, PageOutcome outcome, string? note, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Dedupes and stores a snapshot, and settles the lease (when given) in the same transaction: content equal to the
    /// URL's latest version is only recorded as checked; content equal to another URL's snapshot is linked, not copied;
    /// anything else becomes the next version, and when its SimHash is near another URL's snapshot the page records
    /// that snapshot as the one it nearly duplicates.
    /// </summary>
    Task<SnapshotWriteResult> SaveSnapshotAsync(Snapshot snapshot, FrontierLease? lease, DateTimeOffset now, CancellationToken cancellationToken = default);

    Task<Snapshot?> GetSnapshotAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>The latest snapshot of a canonical URL, or of the snapshot it duplicates (exactly, or nearly when it was not stored).</summary>
    Task<Snapshot?> GetLatestSnapshotAsync(string canonicalUrl, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<SnapshotVersion>> GetVersionsAsync(string canonicalUrl, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<FrontierFailure>> GetFailuresAsync(long? runId, CancellationToken cancellationToken = default);

    /// <summary>Counts for health checks and metrics; a store that answers this is reachable.</summary>
    Task<StoreStats> GetStatsAsync(CancellationToken cancellationToken = default);
    /// <summary>
    /// Removes every snapshot whose canonical, original or final URL matches <paramref name="pattern"/> (exact, or
    /// with <c>*</c> wildcards), with its raw capture, and keeps a tombstone without content. From then on matching
    /// URLs are neither queued nor claimed: they are settled as skipped before any fetch.
    /// </summary>
    Task<Takedown> TakeDownAsync(string pattern, string reason, string requestedBy, DateTimeOffset now, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<Takedown>> GetTakedownsAsync(CancellationToken cancellationToken = default);

    /// <summary>The raw response a snapshot was made from, or null (a snapshot made before raw capture, or taken down).</summary>
    Task<RawCapture?> GetRawCaptureAsync(long snapshotId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Snapshots that have a raw capture, oldest first: of one source or all, fetched at or after
    /// <paramref name="since"/>, and with <paramref name="latestOnly"/> only each URL's latest version.
    /// </summary>
    Task<IReadOnlyList<CaptureEntry>> GetCapturesAsync(string? source, DateTimeOffset? since, bool latestOnly, CancellationToken cancellationToken = default);

    /// <summary>
    /// The closest snapshot of another URL whose SimHash is at most <see cref="SimHash.MaxDistance"/> bits from
    /// <paramref name="simHash"/>, found through the band index, or null.
    /// </summary>
    Task<NearDuplicate?> FindNearDuplicateAsync(ulong simHash, string canonicalUrl, CancellationToken cancellationToken = default);

    /// <summary>URLs linked to another URL's identical snapshot, of one source or all, last checked at or after <paramref name="since"/>.</summary>
    Task<IReadOnlyList<DuplicateLink>> GetDuplicateLinksAsync(string? source, DateTimeOffset? since, CancellationToken cancellationToken = default);

    /// <summary>Ids of every stored snapshot, oldest first: of one source or all, made at or after <paramref name="since"/>.</summary>
    Task<IReadOnlyList<long>> GetSnapshotIdsAsync(string? source, DateTimeOffset? since, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a page not stored because it nearly repeats snapshot <paramref name="nearDuplicateOf"/> (policy Skip):
    /// the page links to it, as an exact duplicate links to its original, and the lease (when given) is settled as
    /// a duplicate in the same transaction.
    /// </summary>
    Task RecordNearDuplicateAsync(string canonicalUrl, string source, long nearDuplicateOf, FrontierLease? lease, string note, DateTimeOffset now, CancellationToken cancellationToken = default);
}
