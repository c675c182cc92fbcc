namespace Crawler.Storage.Runs;

/// <summary>One crawl of one source. An unfinished run is resumed, not restarted, by the next start.</summary>
public sealed record CrawlRun(long Id, string Source, DateTimeOffset StartedAt, bool Resumed);

/// <summary>Where every page of a run ended up, read from the store so resumed runs count whole.</summary>
public sealed record RunTally(
    int Queued,
    int Pending,
    int Leased,
    int Listed,
    int Snapshots,
    int Unchanged,
    int Duplicates,
    int NotArticles,
    int Skipped,
    int DeadLettered,
    int Retried)
{
    public int Done => Listed + Snapshots + Unchanged + Duplicates + NotArticles + Skipped;
}

/// <summary>The whole store at a glance, for health checks and metrics.</summary>
/// <param name="QueueDepth">Pages waiting or in flight in unfinished runs.</param>
/// <param name="DeadLettered">Pages given up on, over all runs (each URL counted once).</param>
/// <param name="Snapshots">Snapshots stored, every version counted.</param>
public sealed record StoreStats(long QueueDepth, long DeadLettered, long Snapshots);
