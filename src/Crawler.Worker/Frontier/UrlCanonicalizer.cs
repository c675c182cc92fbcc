using System.Text;

namespace Crawler.Worker.Frontier;

/// <summary>
/// One spelling per page before a URL enters the queue: lower-case scheme and host, no default port, no fragment,
/// no tracking parameters. Everything else (path case, parameter order) is kept, because servers may care.
/// </summary>
public static class UrlCanonicalizer
{
    private static readonly string[] TrackingPrefixes = ["utm_", "pk_", "mtm_"];

    private static readonly HashSet<string> TrackingNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "gclid", "dclid", "fbclid", "msclkid", "yclid", "mc_cid", "mc_eid", "_ga", "_gl", "igshid", "spm", "share_token", "wt.mc_id",
    };

    /// <summary>Resolves <paramref name="href"/> against <paramref name="baseUrl"/> and canonicalizes it; null when it is not an http(s) URL.</summary>
    public static Uri? TryCanonicalize(string href, Uri? baseUrl = null)
    {
        if (string.IsNullOrWhiteSpace(href))
        {
            return null;
        }

        Uri? url;
        var trimmed = href.Trim();
        if (baseUrl is null ? !Uri.TryCreate(trimmed, UriKind.Absolute, out url) : !Uri.TryCreate(baseUrl, trimmed, out url))
        {
            return null;
        }

        return Canonicalize(url);
    }

    public static Uri? Canonicalize(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps) || string.IsNullOrEmpty(url.Host))
        {
            return null;
        }

        var builder = new UriBuilder(url)
        {
            Scheme = url.Scheme.ToLowerInvariant(),
            Host = url.IdnHost.ToLowerInvariant(),
            Fragment = string.Empty,
        };
        if (url.IsDefaultPort)
        {
            builder.Port = -1;
        }

        builder.Query = CleanQuery(url.Query);
        return builder.Uri;
    }

    public static string? CanonicalString(string href, Uri? baseUrl = null) => TryCanonicalize(href, baseUrl)?.AbsoluteUri;

    private static string CleanQuery(string query)
    {
        if (query.Length <= 1)
        {
            return string.Empty;
        }

        var kept = new StringBuilder(query.Length);
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = pair.Split('=', 2)[0];
            if (TrackingNames.Contains(name) || TrackingPrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            kept.Append(kept.Length == 0 ? "" : "&").Append(pair);
        }

        return kept.ToString();
    }
}
