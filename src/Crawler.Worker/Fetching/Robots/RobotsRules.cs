using System.Globalization;

namespace Crawler.Worker.Fetching.Robots;

/// <summary>
/// The rules of one robots.txt for one user-agent token (RFC 9309): the group naming the token (or, failing that,
/// the <c>*</c> group), matched by the most specific (longest) pattern, Allow winning a tie; <c>*</c> and <c>$</c>
/// in patterns; Crawl-delay and Sitemap lines.
/// </summary>
public sealed class RobotsRules
{
    private readonly List<(bool Allow, string Pattern)> _rules;

    private RobotsRules(List<(bool Allow, string Pattern)> rules, TimeSpan? crawlDelay, IReadOnlyList<string> sitemaps)
    {
        _rules = rules;
        CrawlDelay = crawlDelay;
        Sitemaps = sitemaps;
    }

    public static RobotsRules AllowAll { get; } = new([], null, []);

    public TimeSpan? CrawlDelay { get; }

    public IReadOnlyList<string> Sitemaps { get; }

    /// <summary>Parses robots.txt text. <paramref name="recognized"/> is false when no line was a robots directive.</summary>
    public static RobotsRules Parse(string text, string userAgentToken, out bool recognized)
    {
        ArgumentNullException.ThrowIfNull(text);
        recognized = false;
        var sitemaps = new List<string>();
        var groups = new List<Group>();
        Group? current = null;
        var lastWasAgent = false;
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine;
            var hash = line.IndexOf('#', StringComparison.Ordinal);
            if (hash >= 0)
            {
                line = line[..hash];
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var key = line[..colon].Trim().ToLowerInvariant();
            var value = line[(colon + 1)..].Trim();
            switch (key)
            {
                case "user-agent":
                    recognized = true;
                    if (current is null || !lastWasAgent)
                    {
                        current = new Group();
                        groups.Add(current);
                    }

                    current.Agents.Add(value.ToLowerInvariant());
                    lastWasAgent = true;
                    continue;
                case "allow" or "disallow":
                    recognized = true;
                    if (current is not null && value.Length > 0)
                    {
                        current.Rules.Add((key == "allow", value));
                    }

                    break;
                case "crawl-delay":
                    recognized = true;
                    if (current is not null && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
                    {
                        current.Delay = TimeSpan.FromSeconds(Math.Min(seconds, 86400));
                    }

                    break;
                case "sitemap":
                    recognized = true;
                    if (Uri.TryCreate(value, UriKind.Absolute, out var sitemap))
                    {
                        sitemaps.Add(sitemap.AbsoluteUri);
                    }

                    break;
            }

            lastWasAgent = false;
        }

        var token = userAgentToken.ToLowerInvariant();
        var mine = groups.Where(g => g.Agents.Any(a => a != "*" && a.Length > 0 && token.StartsWith(a, StringComparison.Ordinal))).ToList();
        if (mine.Count == 0)
        {
            mine = groups.Where(g => g.Agents.Contains("*")).ToList();
        }

        var rules = mine.SelectMany(g => g.Rules).ToList();
        var delay = mine.Select(g => g.Delay).FirstOrDefault(d => d is not null);
        return new RobotsRules(rules, delay, sitemaps);
    }

    /// <summary>Whether the path (with query) may be fetched.</summary>
    public bool IsAllowed(string pathAndQuery)
    {
        if (string.IsNullOrEmpty(pathAndQuery))
        {
            pathAndQuery = "/";
        }

        if (pathAndQuery == "/robots.txt")
        {
            return true;
        }

        var longest = -1;
        var allowed = true;
        foreach (var (allow, pattern) in _rules)
        {
            if (pattern.Length < longest || !Matches(pathAndQuery, pattern))
            {
                continue;
            }

            // the longest matching pattern decides; between equally long ones, Allow wins
            allowed = pattern.Length > longest ? allow : allowed || allow;
            longest = pattern.Length;
        }

        return allowed;
    }

    private sealed class Group
    {
        public List<string> Agents { get; } = [];

        public List<(bool Allow, string Pattern)> Rules { get; } = [];

        public TimeSpan? Delay { get; set; }
    }

    internal static bool Matches(string path, string pattern)
    {
        var anchored = pattern.EndsWith('$');
        if (anchored)
        {
            pattern = pattern[..^1];
        }

        var parts = pattern.Split('*');
        if (!path.StartsWith(parts[0], StringComparison.Ordinal))
        {
            return false;
        }

        var position = parts[0].Length;
        for (var i = 1; i < parts.Length; i++)
        {
            var last = i == parts.Length - 1;
            if (last && anchored)
            {
                return path.Length - parts[i].Length >= position && path.EndsWith(parts[i], StringComparison.Ordinal);
            }

            var found = path.IndexOf(parts[i], position, StringComparison.Ordinal);
            if (found < 0)
            {
                return false;
            }

            position = found + parts[i].Length;
        }

        return !anchored || position == path.Length;
    }
}
