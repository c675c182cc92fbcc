using System.Text.RegularExpressions;
using Crawler.Worker.Normalization;
using Microsoft.Extensions.Options;

namespace Crawler.Worker.Sources;

/// <summary>A configured source with its parsed forms (hosts, include regex, zone) ready for the hot path.</summary>
public sealed class CrawlSource
{
    public CrawlSource(SourceOptions options, SnapshotOptions snapshot)
    {
        Options = options;
        Name = options.Name;
        SiteName = string.IsNullOrWhiteSpace(options.SiteName) ? snapshot.SiteName : options.SiteName;
        Seeds = options.Seeds.Select(s => new Uri(s)).ToList();
        Hosts = Seeds.Select(s => s.IdnHost.ToLowerInvariant())
            .Concat(options.AllowedHosts.Select(h => new Uri("http://" + h).IdnHost.ToLowerInvariant()))
            .ToHashSet(StringComparer.Ordinal);
        Include = Compile(options.Include);
        Exclude = Compile(options.Exclude);
        Follow = Compile(options.Follow);
        TimeZone = TimeZoneInfo.FindSystemTimeZoneById(string.IsNullOrWhiteSpace(options.TimeZone) ? snapshot.TimeZone : options.TimeZone);
    }

    public SourceOptions Options { get; }

    public string Name { get; }

    public string SiteName { get; }

    public IReadOnlyList<Uri> Seeds { get; }

    public IReadOnlySet<string> Hosts { get; }

    public Regex? Include { get; }

    public Regex? Exclude { get; }

    public Regex? Follow { get; }

    public TimeZoneInfo TimeZone { get; }

    public bool IsInScope(Uri url) => Hosts.Contains(url.IdnHost.ToLowerInvariant());

    public bool IsArticleUrl(Uri url) => (Include is null || Include.IsMatch(url.AbsoluteUri)) && !IsExcluded(url);

    public bool IsExcluded(Uri url) => Exclude is not null && Exclude.IsMatch(url.AbsoluteUri);

    /// <summary>A list page to read for links (pagination), when it is not an article itself.</summary>
    public bool IsListUrl(Uri url) => Follow is not null && Follow.IsMatch(url.AbsoluteUri) && !IsExcluded(url);

    private static Regex? Compile(string? pattern) =>
        string.IsNullOrEmpty(pattern) ? null : new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
}

/// <summary>The configured sources, plus an ad-hoc one for pages fetched by hand (<c>--url</c>).</summary>
public sealed class SourceCatalog(IOptions<SourcesOptions> sources, IOptions<SnapshotOptions> snapshot)
{
    public const string ManualSourceName = "manual";

    private readonly List<CrawlSource> _sources = sources.Value.Sources.Select(s => new CrawlSource(s, snapshot.Value)).ToList();

    public IReadOnlyList<CrawlSource> All => _sources;

    public IEnumerable<CrawlSource> Enabled => _sources.Where(s => s.Options.Enabled);

    public CrawlSource? Find(string name) => _sources.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The source that owns this URL's host, or a manual source carrying the snapshot defaults.</summary>
    public CrawlSource ForUrl(Uri url) =>
        _sources.FirstOrDefault(s => s.IsInScope(url))
        ?? new CrawlSource(new SourceOptions { Name = ManualSourceName, Seeds = [url.AbsoluteUri], MaxDepth = 0 }, snapshot.Value);
}
