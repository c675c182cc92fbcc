namespace Crawler.Worker.Sources;

/// <summary>One configured site to crawl: <c>Crawler:Sources:N:*</c>.</summary>
public sealed class SourceOptions
{
    /// <summary>Unique, stable name: the key of the schedule, the runs and the snapshots.</summary>
    public string Name { get; set; } = "";

    /// <summary>The snapshot site's name used in the disclaimer; falls back to <c>Crawler:Snapshot:SiteName</c>.</summary>
    public string? SiteName { get; set; }

    /// <summary>Start pages (home, section or list pages). Their hosts are the hosts the crawl stays on.</summary>
    public List<string> Seeds { get; set; } = [];

    /// <summary>Regex an article URL must match to be followed and snapshotted; empty means every same-host link.</summary>
    public string? Include { get; set; }

    /// <summary>Quartz cron expression (seconds first), e.g. <c>0 0/30 * * * ?</c>.</summary>
    public string Schedule { get; set; } = "0 0 * * * ?";

    /// <summary>The most URLs one run may queue (seeds included).</summary>
    public int MaxPages { get; set; } = 200;

    /// <summary>Link hops from a seed: 1 = articles linked from the seeds only.</summary>
    public int MaxDepth { get; set; } = 1;

    /// <summary>IANA zone in which the site's times without an offset are read; defaults to the snapshot zone.</summary>
    public string? TimeZone { get; set; }

    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Regex of list pages to read for links without keeping them (section pagination such as <c>/world/page/2</c>).
    /// They do not count as a hop of <see cref="MaxDepth"/>; <see cref="MaxPages"/> bounds them.
    /// </summary>
    public string? Follow { get; set; }

    /// <summary>Regex of URLs never to queue, applied after <see cref="Include"/> (e.g. login, print or comment pages).</summary>
    public string? Exclude { get; set; }

    /// <summary>Hosts besides the seeds' that links may lead to (e.g. a separate article host). Exact names, lower-case.</summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>Fetch pages robots.txt disallows. Only for sites whose owner agreed; default false.</summary>
    public bool IgnoreRobots { get; set; }

    /// <summary>Also seed the run with the Sitemap: lines of the seed hosts' robots.txt.</summary>
    public bool DiscoverSitemaps { get; set; }

    /// <summary>
    /// What to do with a page whose text is a near duplicate (SimHash within 3 bits) of another URL's snapshot:
    /// <c>Link</c> keeps it and records the snapshot it nearly repeats; <c>Skip</c> does not store it.
    /// </summary>
    public string NearDuplicates { get; set; } = nameof(NearDuplicatePolicy.Link);

    public NearDuplicatePolicy NearDuplicatePolicy =>
        Enum.TryParse<NearDuplicatePolicy>(NearDuplicates, ignoreCase: true, out var policy) ? policy : NearDuplicatePolicy.Link;
}

public enum NearDuplicatePolicy
{
    Link,
    Skip,
}

public sealed class SourcesOptions
{
    public const string SectionName = "Crawler";

    public List<SourceOptions> Sources { get; set; } = [];
}
