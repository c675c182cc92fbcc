using System.Text.RegularExpressions;

namespace Crawler.Storage.Archive;

/// <summary>
/// The tombstone of a takedown: what was asked to be removed, by whom, when and why, and how many snapshots went.
/// It keeps no content, only enough to answer "why is this page not in the archive" and to stop fetching it again.
/// </summary>
public sealed record Takedown(long Id, string Pattern, string Reason, string RequestedBy, DateTimeOffset At, int SnapshotsRemoved);

/// <summary>
/// A takedown's URL or pattern: an exact URL, or one with <c>*</c> standing for any run of characters
/// (<c>https://example.org/news/2026/*</c>). Matched in code rather than with SQL LIKE, whose case rules differ
/// between SQLite and PostgreSQL: a takedown must mean the same thing on every backend.
/// </summary>
public sealed class TakedownPattern
{
    private readonly Regex? _wildcard;

    public TakedownPattern(string pattern)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        Pattern = pattern;
        if (pattern.Contains('*', StringComparison.Ordinal))
        {
            var body = string.Join(".*", pattern.Split('*').Select(Regex.Escape));
            _wildcard = new Regex($"^{body}$", RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromSeconds(1));
        }
    }

    public string Pattern { get; }

    public bool IsExact => _wildcard is null;

    public bool Matches(string url) => _wildcard?.IsMatch(url) ?? string.Equals(url, Pattern, StringComparison.Ordinal);

    public static bool AnyMatches(IEnumerable<TakedownPattern> patterns, string url) => patterns.Any(p => p.Matches(url));
}
