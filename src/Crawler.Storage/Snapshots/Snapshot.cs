namespace Crawler.Storage.Snapshots;

public enum SnapshotBlockKind
{
    Paragraph,
    Heading,
    ListItem,
    Quote,
    Caption,
}

public sealed record SnapshotBlock(SnapshotBlockKind Kind, string Text);

/// <summary>
/// A normalized page as the snapshot service keeps it: what the page said, plus what the service adds
/// (generation time, disclaimer, takedown notice, the URL it came from).
/// </summary>
public sealed record Snapshot
{
    /// <summary>Store-assigned; 0 until saved.</summary>
    public long Id { get; init; }

    public int Version { get; init; }

    public required string Source { get; init; }

    public required string CanonicalUrl { get; init; }

    /// <summary>The URL as it was fetched. Never empty: the store rejects a snapshot without it.</summary>
    public required string OriginalUrl { get; init; }

    public required string FinalUrl { get; init; }

    public required string Title { get; init; }

    public DateTimeOffset? PublishedAt { get; init; }

    public string? PublishedText { get; init; }

    public string? Publisher { get; init; }

    public string? Category { get; init; }

    public string? Author { get; init; }

    public string? Language { get; init; }

    public IReadOnlyList<SnapshotBlock> Blocks { get; init; } = [];

    public IReadOnlyList<string> ImageCaptions { get; init; } = [];

    public IReadOnlyList<string> Keywords { get; init; } = [];

    public IReadOnlyList<string> Links { get; init; } = [];

    public required string SiteName { get; init; }

    public required string Disclaimer { get; init; }

    public required string TakedownNotice { get; init; }

    /// <summary>Always UTC in the store; rendered in the configured zone.</summary>
    public required DateTimeOffset GeneratedAt { get; init; }

    /// <summary>SHA-256 (hex) of the normalized content, the key of exact dedupe.</summary>
    public required string ContentHash { get; init; }

    /// <summary>SimHash of the normalized text (<see cref="Dedupe.SimHash"/>), the key of near-duplicate detection; null to skip it.</summary>
    public ulong? SimHash { get; init; }

    /// <summary>
    /// The response this snapshot was made from: written with a new version only, and never read back with the
    /// snapshot (it can be large); see <see cref="ICrawlStore.GetRawCaptureAsync"/>.
    /// </summary>
    public Archive.RawCapture? Raw { get; init; }
}

public enum SnapshotWriteOutcome
{
    Created,
    Unchanged,
    Duplicate,
}

/// <summary>What saving a snapshot did: a new version, nothing (same content as the URL's latest), or a link to an identical one.</summary>
public sealed record SnapshotWriteResult(SnapshotWriteOutcome Outcome, long SnapshotId, int Version)
{
    /// <summary>A new version that is a near duplicate of another URL's snapshot: that snapshot's id (kept, linked).</summary>
    public long? NearDuplicateOf { get; init; }
}

public sealed record SnapshotVersion(long Id, int Version, DateTimeOffset GeneratedAt, string ContentHash, string Title);
