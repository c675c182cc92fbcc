using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Crawler.FixtureSite;

public sealed class NewsSiteOptions
{
    /// <summary>0 picks a free port.</summary>
    public int Port { get; init; }

    /// <summary>Where to listen: loopback for tests, 0.0.0.0 when crawlers in containers must reach it.</summary>
    public string ListenAddress { get; init; } = "127.0.0.1";

    /// <summary>Plain UTF-8 articles at /news/a/{n}.html.</summary>
    public int Articles { get; init; } = 8;

    /// <summary>How many articles are also linked at a second URL, /news/mirror/{n}.html (exact duplicates).</summary>
    public int Mirrors { get; init; } = 1;

    /// <summary>Articles at /news/slow/{n}.html that take <see cref="SlowDelay"/> each (for kill and stop tests).</summary>
    public int SlowArticles { get; init; }

    public TimeSpan SlowDelay { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Seconds sent in Retry-After by /news/a/throttled.html on its first request.</summary>
    public int RetryAfterSeconds { get; init; } = 1;

    /// <summary>Body of /robots.txt (<c>{base}</c> becomes the site's URL); null serves 404.</summary>
    public string? RobotsTxt { get; init; }

    /// <summary>Status of /robots.txt when not 200 or 404 (e.g. 503).</summary>
    public int? RobotsStatus { get; init; }
}

/// <summary>
/// A small news site served by Kestrel on 127.0.0.1, with the faults a crawler meets: 500s that pass, a 429 with
/// Retry-After, a page that always fails, connection resets, redirect loops, GBK pages, an article at two URLs.
/// Every request is counted per path, and articles can be edited while the site runs.
/// </summary>
public sealed class NewsSite : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly NewsSiteOptions _options;
    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, int> _editions = new();
    private readonly ConcurrentQueue<(string Path, DateTimeOffset At)> _log = new();

    static NewsSite() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private NewsSite(WebApplication app, NewsSiteOptions options)
    {
        _app = app;
        _options = options;
    }

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>URL of the first list page: the seed of a crawl of the whole site.</summary>
    public Uri Seed => new(BaseUrl, "news/list/1");

    /// <summary>The include regex that matches every article URL of this site.</summary>
    public static string ArticlePattern => "/news/(a|gbk|gbk-header|mirror|slow|flaky|r|loop|zh|etag|chain|hostile|syndicated|edited)/";

    public static async Task<NewsSite> StartAsync(NewsSiteOptions? options = null)
    {
        options ??= new NewsSiteOptions();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{options.ListenAddress}:{options.Port}");
        var app = builder.Build();
        var site = new NewsSite(app, options);
        site.Map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        site.BaseUrl = new Uri(address.EndsWith('/') ? address : address + "/");
        return site;
    }

    public int RequestsTo(string path) => _requests.GetValueOrDefault(path);

    public int TotalRequests => _requests.Values.Sum();

    /// <summary>When each request to <paramref name="path"/> arrived, in order.</summary>
    public IReadOnlyList<DateTimeOffset> RequestTimes(string path) => _log.Where(e => e.Path == path).Select(e => e.At).ToList();

    /// <summary>Changes the text of /news/a/{n}.html, as an editor fixing a story after publication.</summary>
    public void EditArticle(int n) => _editions.AddOrUpdate(n, 1, (_, e) => e + 1);

    public static string ArticleTitle(int n) => $"Harbour authority reports record cargo volumes in quarter {n}";

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>The User-Agent of the last request.</summary>
    public string? LastUserAgent { get; private set; }

    private void Count(HttpContext context)
    {
        LastUserAgent = context.Request.Headers.UserAgent.ToString();
        var path = context.Request.Path.Value ?? "/";
        _log.Enqueue((path, DateTimeOffset.UtcNow));
        _requests.AddOrUpdate(path, 1, (_, n) => n + 1);
    }

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            Count(context);
            await next(context);
        });

        app.MapGet("/", () => Html(Page("Home", "<p>Welcome.</p>", Links(("news/list/1", "Latest news")))));
        app.MapGet("/news/list/{n:int}", (int n) => Html(ListPage(n)));
        app.MapGet("/news/a/{n:int}.html", (int n) => n >= 1 && n <= _options.Articles ? Html(EnglishArticle(n, _editions.GetValueOrDefault(n))) : Results.NotFound());
        // the same story under another section, without a canonical link: only its content says it is a duplicate
        app.MapGet("/news/mirror/{n:int}.html", (int n) => n >= 1 && n <= _options.Articles ? Html(EnglishArticle(n, _editions.GetValueOrDefault(n), canonical: false)) : Results.NotFound());
        app.MapGet("/news/zh/seed.html", () => Html(SeedLayoutArticle()));
        // the same story on a partner's site: another layout and boilerplate around the same text
        app.MapGet("/news/syndicated/{n:int}.html", (int n) => Html(SyndicatedArticle(n)));
        // the same story with one figure corrected, at another URL: a near duplicate
        app.MapGet("/news/edited/{n:int}.html", (int n) => Html(EnglishArticle(n, 0, canonical: false, hoursSaved: n + 3)));
        app.MapGet("/news/gbk/{n:int}.html", (int n) => Bytes(Encoding.GetEncoding("GBK").GetBytes(ChineseArticle(n, "<meta charset=\"gbk\">")), "text/html"));
        app.MapGet("/news/gbk-header/{n:int}.html", (int n) => Bytes(Encoding.GetEncoding("GBK").GetBytes(ChineseArticle(n + 100, "")), "text/html; charset=GBK"));
        app.MapGet("/news/slow/{n:int}.html", async (int n, CancellationToken ct) =>
        {
            await Task.Delay(_options.SlowDelay, ct);
            return Html(EnglishArticle(1000 + n, 0, canonical: false));
        });
        app.MapGet("/news/flaky/500-twice.html", (HttpContext c) =>
            RequestsTo("/news/flaky/500-twice.html") <= 2 ? Results.StatusCode(500) : Html(EnglishArticle(501, 0)));
        app.MapGet("/news/a/throttled.html", (HttpContext c) =>
        {
            if (RequestsTo("/news/a/throttled.html") == 1)
            {
                c.Response.Headers.RetryAfter = _options.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                return Results.StatusCode(429);
            }

            return Html(EnglishArticle(429, 0));
        });
        app.MapGet("/news/a/broken.html", () => Results.StatusCode(500));
        app.MapGet("/news/a/reset.html", (HttpContext c) =>
        {
            c.Abort();
            return Results.Empty;
        });
        app.MapGet("/news/r/{n:int}.html", (int n) => Results.Redirect($"/news/a/{n}.html", permanent: true));
        app.MapGet("/news/loop/a.html", () => Results.Redirect("/news/loop/b.html"));
        app.MapGet("/news/loop/b.html", () => Results.Redirect("/news/loop/a.html"));
        app.MapGet("/news/gone.html", () => Results.StatusCode(410));
        MapPoliteness(app);
        MapHostile(app);
        MapCompressed(app);
    }

    /// <summary>robots.txt, an article with validators, sitemaps and feeds.</summary>
    private void MapPoliteness(WebApplication app)
    {
        app.MapGet("/robots.txt", () => _options.RobotsStatus is { } status
            ? Results.StatusCode(status)
            : _options.RobotsTxt is { } robots ? Results.Text(robots.Replace("{base}", BaseUrl.AbsoluteUri, StringComparison.Ordinal), "text/plain") : Results.NotFound());

        app.MapGet("/news/etag/{n:int}.html", (int n, HttpContext c) =>
        {
            var etag = $"\"story-{n}-{_editions.GetValueOrDefault(n)}\"";
            if (c.Request.Headers.IfNoneMatch.ToString() == etag)
            {
                Interlocked.Increment(ref _notModified);
                return Results.StatusCode(304);
            }

            c.Response.Headers.ETag = etag;
            c.Response.Headers.LastModified = "Tue, 24 Nov 2026 08:00:00 GMT";
            return Html(EnglishArticle(2000 + n, _editions.GetValueOrDefault(n), canonical: false));
        });

        app.MapGet("/sitemap-index.xml", () => Results.Text($"""
            <?xml version="1.0" encoding="UTF-8"?>
            <sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
              <sitemap><loc>{BaseUrl}sitemap-news.xml</loc><lastmod>2026-11-24</lastmod></sitemap>
            </sitemapindex>
            """, "application/xml"));
        app.MapGet("/sitemap-news.xml", () => Results.Text($"""
            <?xml version="1.0" encoding="UTF-8"?>
            <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
              <url><loc>{BaseUrl}news/a/1.html</loc><lastmod>{SitemapLastMod:yyyy-MM-ddTHH:mm:ssK}</lastmod></url>
              <url><loc>{BaseUrl}news/a/2.html</loc><lastmod>{SitemapLastMod:yyyy-MM-ddTHH:mm:ssK}</lastmod></url>
              <url><loc>https://elsewhere.invalid/news/a/9.html</loc></url>
            </urlset>
            """, "application/xml"));
        app.MapGet("/feed.rss", () => Results.Text($"""
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0"><channel><title>Fixture News</title>
              <item><title>{ArticleTitle(3)}</title><link>{BaseUrl}news/a/3.html</link><pubDate>Tue, 24 Nov 2026 08:00:00 GMT</pubDate></item>
            </channel></rss>
            """, "application/rss+xml"));
        app.MapGet("/atom.xml", () => Results.Text($"""
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom"><title>Fixture News</title>
              <entry><title>{ArticleTitle(4)}</title><link rel="alternate" href="{BaseUrl}news/a/4.html"/><updated>2026-11-24T08:00:00Z</updated></entry>
            </feed>
            """, "application/atom+xml"));
        app.MapGet("/news/list/scoped", () => Html(Page("Scoped", "<h1>Scope</h1>", """
            <ul>
            <li><a href="/news/a/1.html">Followed</a></li>
            <li><a href="/news/a/2.html" rel="nofollow">Not followed: nofollow</a></li>
            <li><a href="/news/a/3.html?print=1">Excluded by pattern</a></li>
            <li><a href="http://[::1">Malformed</a></li>
            <li><a href="ht!tp://broken">Malformed scheme</a></li>
            <li><a href="javascript:void(0)">Script</a></li>
            </ul>
            """)));
    }

    /// <summary>Pages that try to hurt a crawler.</summary>
    private void MapHostile(WebApplication app)
    {
        app.MapGet("/news/hostile/bomb.html", async (HttpContext c) =>
        {
            // 64 MiB of zeros, about 64 KiB on the wire
            c.Response.ContentType = "text/html; charset=utf-8";
            c.Response.Headers.ContentEncoding = "gzip";
            await c.Response.Body.WriteAsync(GzipBomb.Value);
        });
        app.MapGet("/news/hostile/report.pdf", () => Results.Bytes(new byte[256 * 1024], "application/pdf"));
        app.MapGet("/news/hostile/drip.html", async (HttpContext c) =>
        {
            c.Response.ContentType = "text/html; charset=utf-8";
            await c.Response.WriteAsync("<html><body><p>", c.RequestAborted);
            for (var i = 0; i < 600 && !c.RequestAborted.IsCancellationRequested; i++)
            {
                await c.Response.WriteAsync("drip ", c.RequestAborted);
                await c.Response.Body.FlushAsync(c.RequestAborted);
                await Task.Delay(100, c.RequestAborted);
            }
        });
        app.MapGet("/news/hostile/truncated.html", async (HttpContext c) =>
        {
            c.Response.ContentType = "text/html; charset=utf-8";
            c.Response.ContentLength = 10_000;
            await c.Response.WriteAsync(new string('x', 3000));
            await c.Response.Body.FlushAsync();
            // let the client take the headers and start on the body; an RST sent at once would discard them unread
            await Task.Delay(300);
            c.Abort();
        });
        // declared UTF-8 in the header, written in GBK
        app.MapGet("/news/hostile/lying-utf8.html", () => Bytes(Encoding.GetEncoding("GBK").GetBytes(ChineseArticle(301, "")), "text/html; charset=utf-8"));
        // declared GBK in a meta tag, written in UTF-8
        app.MapGet("/news/hostile/lying-gbk.html", () => Bytes(Encoding.UTF8.GetBytes(ChineseArticle(302, "<meta charset=\"gbk\">")), "text/html"));
        app.MapGet("/news/chain/{n:int}.html", (int n) => n < 20 ? Results.Redirect($"/news/chain/{n + 1}.html") : Html(EnglishArticle(3000, 0, canonical: false)));
        app.MapGet("/news/hostile/to-other-loopback.html", () => Results.Redirect($"http://127.0.0.2:{BaseUrl.Port}/news/a/1.html"));
    }

    /// <summary>
    /// Articles sent compressed, as most news sites send them: gzip or Brotli when the request accepts it (and only
    /// then, as a server does), plus bodies that do not decode, codings nobody asked for, and gzip that comes out
    /// larger than what it decodes to.
    /// </summary>
    private static void MapCompressed(WebApplication app)
    {
        app.MapGet("/news/compressed/{coding}/{n:int}.html", async (string coding, int n, HttpContext c) =>
        {
            var html = Encoding.UTF8.GetBytes(EnglishArticle(4000 + n, 0, canonical: false));
            c.Response.ContentType = "text/html; charset=utf-8";
            if (c.Request.Headers.AcceptEncoding.ToString().Split(',').Select(e => e.Split(';')[0].Trim()).Contains(coding))
            {
                c.Response.Headers.ContentEncoding = coding;
                html = Compress(coding, html);
            }

            await c.Response.Body.WriteAsync(html);
        });
        app.MapGet("/news/compressed/corrupt/{coding}.html", async (string coding, HttpContext c) =>
        {
            c.Response.ContentType = "text/html; charset=utf-8";
            c.Response.Headers.ContentEncoding = coding;
            var body = Compress(coding, Encoding.UTF8.GetBytes(EnglishArticle(4100, 0, canonical: false)));
            body.AsSpan(20, 200).Fill(0x5A);
            await c.Response.Body.WriteAsync(body);
        });
        // sent unasked: deflate, zlib-wrapped as the RFC says or raw as some servers send it; zstd; and a token
        // that names no compression at all on a plain body
        app.MapGet("/news/compressed/unasked/{coding}.html", async (string coding, HttpContext c) =>
        {
            var html = Encoding.UTF8.GetBytes(EnglishArticle(4101, 0, canonical: false));
            c.Response.ContentType = "text/html; charset=utf-8";
            c.Response.Headers.ContentEncoding = coding == "raw-deflate" ? "deflate" : coding;
            await c.Response.Body.WriteAsync(coding switch
            {
                "deflate" or "raw-deflate" => Compress(coding, html),
                "zstd" => RandomNumberGenerator.GetBytes(4096),
                _ => html,
            });
        });
        app.MapGet("/news/compressed/incompressible.html", async (HttpContext c) =>
        {
            c.Response.ContentType = "text/html; charset=utf-8";
            c.Response.Headers.ContentEncoding = "gzip";
            await c.Response.Body.WriteAsync(Compress("gzip", IncompressibleBody));
        });
    }

    /// <summary>The 64 KiB that /news/compressed/incompressible.html decodes to: random, so its gzip is larger.</summary>
    public static byte[] IncompressibleBody { get; } = RandomNumberGenerator.GetBytes(64 * 1024);

    private static byte[] Compress(string coding, byte[] body)
    {
        using var output = new MemoryStream();
        using (Stream compressor = coding switch
        {
            "gzip" => new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true),
            "br" => new System.IO.Compression.BrotliStream(output, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true),
            "raw-deflate" => new System.IO.Compression.DeflateStream(output, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true),
            _ => new System.IO.Compression.ZLibStream(output, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true),
        })
        {
            compressor.Write(body);
        }

        return output.ToArray();
    }

    private static readonly Lazy<byte[]> GzipBomb = new(() =>
    {
        using var output = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < 64; i++)
            {
                gzip.Write(zeros);
            }
        }

        return output.ToArray();
    });

    /// <summary>lastmod the sitemap gives its articles.</summary>
    public DateTimeOffset SitemapLastMod { get; set; } = new(2026, 11, 24, 8, 0, 0, TimeSpan.Zero);

    private int _notModified;

    /// <summary>304 answers sent by /news/etag/*.</summary>
    public int NotModifiedResponses => Volatile.Read(ref _notModified);

    private string ListPage(int n)
    {
        var links = new List<(string, string)>();
        if (n == 1)
        {
            for (var i = 1; i <= _options.Articles; i++)
            {
                links.Add(($"/news/a/{i}.html?utm_source=list&utm_medium=web", ArticleTitle(i)));
            }

            for (var i = 1; i <= Math.Min(_options.Mirrors, _options.Articles); i++)
            {
                links.Add(($"/news/mirror/{i}.html", ArticleTitle(i)));
            }

            links.Add(("/news/zh/seed.html", "纳卡局势再紧张 阿塞拜疆发起军事行动"));
            links.Add(("/news/gbk/1.html", "GBK 页面"));
            links.Add(("/news/gbk-header/1.html", "GBK 页面 (header)"));
            links.Add(("/news/flaky/500-twice.html", "Flaky"));
            links.Add(("/news/a/throttled.html", "Throttled"));
            links.Add(("/news/a/broken.html", "Broken"));
            links.Add(("/news/a/reset.html", "Reset"));
            links.Add(("/news/r/2.html", "Moved"));
            links.Add(("/news/loop/a.html", "Loop"));
            links.Add(("https://elsewhere.invalid/news/a/1.html", "Off-site"));
            links.Add(("/news/list/2", "More news"));
        }

        for (var i = 1; n == 2 && i <= _options.SlowArticles; i++)
        {
            links.Add(($"/news/slow/{i}.html", $"Slow story {i}"));
        }

        return Page($"News, page {n}", "<h1>Latest news</h1>", Links([.. links]));
    }

    private static string Links(params (string Href, string Text)[] links) =>
        "<ul class=\"news-list\">" + string.Concat(links.Select(l => $"<li><a href=\"{WebUtility.HtmlEncode(l.Href)}\">{WebUtility.HtmlEncode(l.Text)}</a></li>")) + "</ul>";

    private static string Page(string title, string main, string list) => $"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>{title} - Fixture News</title></head>
        <body>
        <header><nav class="site-nav"><a href="/">Home</a> <a href="/news/list/1">World</a> <a href="/news/list/2">More</a></nav></header>
        <main>{main}{list}</main>
        <footer class="site-footer"><p>Copyright 2026 Fixture News. All rights reserved.</p></footer>
        </body></html>
        """;

    private static string SyndicatedArticle(int n) => $"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>{ArticleTitle(n)} | Partner Wire</title></head>
        <body>
        <div id="top-bar"><a href="/">Partner Wire</a> | <a href="/markets">Markets</a> | <a href="/subscribe">Subscribe today</a></div>
        <div class="layout">
        <div class="story">
        <h1>{ArticleTitle(n)}</h1>
        <div class="story-text">
        {string.Concat(EnglishParagraphs(n, 0, n + 2).Select(p => $"<p>{p}</p>\n"))}
        </div>
        </div>
        <div class="sidebar"><h3>Most read</h3><ol><li><a href="/m/1">Markets close higher</a></li><li><a href="/m/2">Rates on hold</a></li></ol></div>
        </div>
        <div class="bottom">(c) Partner Wire Ltd. Reproduced under licence. <a href="/terms">Terms</a></div>
        </body></html>
        """;

    private static string[] EnglishParagraphs(int n, int edition, int hoursSaved) =>
        [
            $"The harbour authority said on Tuesday that cargo handled in quarter {n} rose to a record, driven by container traffic and a recovery in bulk shipments of grain.",
            $"Officials credited the new deep-water berth, opened in the spring, for much of the increase, and said ships now wait an average of {hoursSaved} hours less before unloading.",
            "Port workers' representatives welcomed the figures but warned that staffing had not kept pace with the volumes, and asked for talks on shift patterns before the winter season.",
            $"Analysts cautioned that the quarter included one-off shipments delayed from earlier in the year, and that growth of {n}.5 percent could not be expected to continue unchanged.",
            .. Background(n),
            edition == 0
                ? "The authority will publish its full annual report in March."
                : $"Correction (edition {edition}): the authority will publish its full annual report in February, not March as first reported.",
        ];

    private static readonly string[] BackgroundWords =
        ("the of and to in a that for on with as was by at from it its has been were which would after more than over year "
        + "port trade ships cargo shipping harbour authority terminal cranes rail road freight customs exports imports grain coal "
        + "steel timber fuel containers berth dredging channel tides pilots tugs quay warehouse logistics operators hauliers "
        + "council ministry budget funding plan report review board members chairman director union workers shifts wages "
        + "season winter summer spring autumn weather storms delays queue capacity demand supply prices costs growth decline "
        + "investment expansion contract tender contractors engineers safety inspection environment emissions noise residents "
        + "town coast river estuary bridge station airport motorway traffic commuters farmers growers exporters markets buyers").Split(' ');

    /// <summary>
    /// A few paragraphs of background per article, different for every article number (words drawn with a Zipf-like
    /// skew, as in real prose), so that articles are as long as real ones and no two of them are near duplicates.
    /// </summary>
    private static IEnumerable<string> Background(int n)
    {
        var rng = new Random(n * 7919);
        for (var p = 0; p < 4; p++)
        {
            var words = Enumerable.Range(0, 70).Select(_ => BackgroundWords[(int)(BackgroundWords.Length * Math.Pow(rng.NextDouble(), 2))]);
            var text = string.Join(' ', words);
            yield return char.ToUpperInvariant(text[0]) + text[1..] + ".";
        }
    }

    private static string EnglishArticle(int n, int edition, bool canonical = true, int? hoursSaved = null)
    {
        var paragraphs = EnglishParagraphs(n, edition, hoursSaved ?? n + 2);
        return $"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <title>{ArticleTitle(n)} - Fixture News</title>
            <meta property="article:published_time" content="2026-03-{(n % 28) + 1:00}T09:30:00+00:00">
            <meta name="author" content="Jane Doe">
            <meta name="keywords" content="ports, shipping, trade">
            {(canonical ? $"<link rel=\"canonical\" href=\"/news/a/{n}.html\">" : "")}
            </head>
            <body>
            <header><nav class="site-nav"><a href="/">Home</a> <a href="/news/list/1">World</a> <a href="/news/list/2">More</a></nav></header>
            <div class="cookie-banner">We use cookies to improve your experience. <a href="/privacy">Learn more</a></div>
            <article>
            <h1>{ArticleTitle(n)}</h1>
            <p class="byline">By Jane Doe</p>
            <div class="article-body">
            {string.Concat(paragraphs.Select(p => $"<p>{p}</p>\n"))}
            </div>
            </article>
            <aside class="related"><h2>Related</h2><ul><li><a href="/news/a/{n % 3 + 1}.html">{ArticleTitle(n % 3 + 1)}</a></li><li><a href="/news/list/2">More stories</a></li></ul></aside>
            <footer class="site-footer"><p>Copyright 2026 Fixture News. All rights reserved.</p><p><a href="/about">About</a> <a href="/contact">Contact</a></p></footer>
            </body></html>
            """;
    }

    private static string ChineseArticle(int n, string meta) => $"""
        <!DOCTYPE html>
        <html><head>{meta}<title>港口货物吞吐量创新高 第{n}季度_测试新闻网</title></head>
        <body>
        <div class="nav"><a href="/">首页</a> <a href="/news/list/1">国际</a> <a href="/news/list/2">国内</a></div>
        <div class="main">
        <h1>港口货物吞吐量创新高 第{n}季度</h1>
        <div class="info">发布时间:2023-09-{(n % 28) + 1:00} 15:50:00 来源:新华社 作者:李明</div>
        <div class="content">
        <p>港务局周二表示,第{n}季度港口货物吞吐量创历史新高,集装箱运输和粮食散货运输的恢复是主要推动力。</p>
        <p>官员们说,春季启用的新深水泊位贡献了大部分增长,船舶卸货前的平均等待时间缩短了{n + 2}个小时。</p>
        <p>港口工人代表对这些数字表示欢迎,但警告说人员配置没有跟上吞吐量的增长,并要求在冬季来临之前就轮班安排进行谈判。</p>
        <p>分析人士提醒说,本季度包括一些从年初推迟的一次性货运,{n}.5%的增长不可能一成不变地持续下去。</p>
        </div>
        </div>
        <div class="footer">版权所有 测试新闻网 京ICP备12345678号</div>
        </body></html>
        """;

    /// <summary>The layout of the real snapshot page the product is modelled on (shared/seed/snapshot-example.txt).</summary>
    private static string SeedLayoutArticle() => """
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"><title>纳卡局势再紧张 阿塞拜疆发起军事行动_测试新闻网</title>
        <meta name="keywords" content="纳戈尔诺-卡拉巴赫"></head>
        <body>
        <div class="breadcrumb"><ul><li><a href="/my">我的订阅</a></li><li><a href="/news/list/1">国际</a></li></ul></div>
        <div class="article">
        <h1>纳卡局势再紧张 阿塞拜疆发起军事行动</h1>
        <div class="meta">类别:国际 发布时间:2023-09-20 15:50:00 来源:新华社</div>
        <div class="article-content">
        <p><img src="/img/1.jpg" alt="纳卡局势再紧张 阿塞拜疆发起军事行动"></p>
        <p>阿塞拜疆国防部19日在纳戈尔诺-卡拉巴赫(纳卡)地区发起军事行动。与阿塞拜疆就纳卡地区存在争端的亚美尼亚称没有参与冲突。俄罗斯方面说,正与亚阿双方接触,敦促通过谈判解决争端。</p>
        <p><strong>【局势再升级】</strong></p>
        <p>阿塞拜疆国防部19日发表声明说,当天在纳卡地区展开“反恐行动”,打击对象“仅限于军事目标”,已向俄罗斯和土耳其通报相关计划。</p>
        <p>阿塞拜疆国防部说,阿军使用精确制导武器打击纳卡地区的前线阵地和军事设施,已经夺取60多个军事哨所,摧毁军车多达20辆。</p>
        <p><strong>【多方吁克制】</strong></p>
        <p>俄罗斯外交部发言人玛丽亚·扎哈罗娃19日否认俄方提前得知阿塞拜疆在纳卡的军事行动,称阿方在行动前“几分钟”才通报俄方。</p>
        <p>纳卡地区位于阿塞拜疆西南部,居民多为亚美尼亚族人。苏联解体后,阿塞拜疆和亚美尼亚因纳卡地区归属问题爆发战争。(完)(新华社专特稿)</p>
        </div>
        <div class="keywords">关键词:纳戈尔诺-卡拉巴赫(Nagorno-Karabakh)</div>
        </div>
        <div class="related"><h3>相关阅读:<a href="/news/a/1.html">释新闻|阿塞拜疆为何在纳卡发起“反恐行动”?</a></h3></div>
        <div class="footer">版权所有 测试新闻网 京ICP备12345678号</div>
        </body></html>
        """;

    private static IResult Html(string html) => Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8);

    private static IResult Bytes(byte[] body, string contentType) => Results.Bytes(body, contentType);
}
