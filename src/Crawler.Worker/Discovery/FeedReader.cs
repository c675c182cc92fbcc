using System.Globalization;
using System.IO.Compression;
using System.Xml;

namespace Crawler.Worker.Discovery;

/// <summary>A link read from a sitemap or feed; <see cref="IsSitemap"/> marks a child sitemap of a sitemap index.</summary>
public sealed record FeedLink(Uri Url, DateTimeOffset? LastModified, bool IsSitemap);

/// <summary>
/// Reads XML sitemaps (urlset and sitemap index, plain or gzip), RSS 2.0 / RDF and Atom feeds into links. XML is
/// read with DTDs ignored and no resolver (no entity expansion, no external fetches) and within a size limit.
/// </summary>
public static class FeedReader
{
    /// <summary>True when the body is a sitemap or a feed; <paramref name="links"/> then holds what it lists.</summary>
    public static bool TryRead(byte[] body, Uri baseUrl, long maxBytes, out string kind, out IReadOnlyList<FeedLink> links)
    {
        ArgumentNullException.ThrowIfNull(body);
        kind = "";
        links = [];
        var bytes = IsGzip(body) ? Gunzip(body, maxBytes) : body;
        if (bytes is null || !LooksLikeXml(bytes))
        {
            return false;
        }

        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Ignore,
            XmlResolver = null,
            MaxCharactersInDocument = maxBytes,
            IgnoreComments = true,
            IgnoreWhitespace = true,
        };
        var found = new List<FeedLink>();
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(bytes), settings);
            if (reader.MoveToContent() != XmlNodeType.Element)
            {
                return false;
            }

            kind = reader.LocalName switch
            {
                "urlset" => "sitemap",
                "sitemapindex" => "sitemap index",
                "rss" or "RDF" => "rss",
                "feed" => "atom",
                _ => "",
            };
            if (kind.Length == 0)
            {
                return false;
            }

            string? loc = null;
            DateTimeOffset? modified = null;
            reader.Read();
            while (!reader.EOF)
            {
                if (reader.NodeType == XmlNodeType.EndElement && reader.LocalName is "url" or "sitemap" or "item" or "entry")
                {
                    Add(found, loc, modified, reader.LocalName == "sitemap", baseUrl);
                    loc = null;
                    modified = null;
                }
                else if (reader.NodeType == XmlNodeType.Element)
                {
                    // ReadElementContentAsString moves past the element itself, so those branches skip the Read below
                    switch (reader.LocalName)
                    {
                        case "loc":
                            loc = reader.ReadElementContentAsString().Trim();
                            continue;
                        case "link" when kind == "atom":
                            if (reader.GetAttribute("rel") is null or "alternate")
                            {
                                loc = reader.GetAttribute("href");
                            }

                            break;
                        case "link":
                            loc = reader.ReadElementContentAsString().Trim();
                            continue;
                        case "lastmod" or "pubDate" or "updated" or "published" or "date":
                            var date = ParseDate(reader.ReadElementContentAsString());
                            modified ??= date;
                            continue;
                    }
                }

                reader.Read();
            }
        }
        catch (XmlException)
        {
            // a broken feed yields what was read before the break
        }

        links = found;
        return true;
    }

    private static void Add(List<FeedLink> found, string? loc, DateTimeOffset? modified, bool isSitemap, Uri baseUrl)
    {
        if (!string.IsNullOrWhiteSpace(loc) && Uri.TryCreate(baseUrl, loc.Trim(), out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps))
        {
            found.Add(new FeedLink(url, modified, isSitemap));
        }
    }

    private static DateTimeOffset? ParseDate(string text)
    {
        text = text.Trim();
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
        {
            return date;
        }

        // RFC 822 dates of RSS ("Tue, 24 Nov 2026 08:00:00 +0800") with zone names DateTimeOffset does not know
        return DateTimeOffset.TryParseExact(text.Replace("GMT", "+0000", StringComparison.Ordinal).Replace("UT", "+0000", StringComparison.Ordinal),
            ["ddd, d MMM yyyy HH:mm:ss zzz", "ddd, d MMM yyyy HH:mm zzz", "d MMM yyyy HH:mm:ss zzz"], CultureInfo.InvariantCulture, DateTimeStyles.None, out date)
            ? date
            : null;
    }

    private static bool IsGzip(byte[] body) => body.Length > 2 && body[0] == 0x1f && body[1] == 0x8b;

    private static byte[]? Gunzip(byte[] body, long maxBytes)
    {
        try
        {
            using var gzip = new GZipStream(new MemoryStream(body), CompressionMode.Decompress);
            using var output = new MemoryStream();
            var buffer = new byte[81920];
            int read;
            while ((read = gzip.Read(buffer)) > 0)
            {
                if (output.Length + read > maxBytes)
                {
                    return null; // a gzip bomb is not a sitemap
                }

                output.Write(buffer, 0, read);
            }

            return output.ToArray();
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    private static bool LooksLikeXml(byte[] bytes)
    {
        var i = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
        while (i < bytes.Length && bytes[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            i++;
        }

        if (i >= bytes.Length || bytes[i] != (byte)'<')
        {
            return false;
        }

        var head = System.Text.Encoding.ASCII.GetString(bytes, i, Math.Min(512, bytes.Length - i));
        return head.StartsWith("<?xml", StringComparison.Ordinal) || head.Contains("<urlset", StringComparison.Ordinal)
            || head.Contains("<sitemapindex", StringComparison.Ordinal) || head.Contains("<rss", StringComparison.Ordinal)
            || head.Contains("<feed", StringComparison.Ordinal) || head.Contains("<rdf:RDF", StringComparison.Ordinal);
    }
}
