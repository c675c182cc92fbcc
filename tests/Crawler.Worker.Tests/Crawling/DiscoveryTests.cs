using Crawler.FixtureSite;
using Crawler.Worker.Tests.Support;

namespace Crawler.Worker.Tests.Crawling;

/// <summary>Sitemaps, sitemap indexes, robots.txt Sitemap: lines and feeds as seeds.</summary>
public sealed class DiscoveryTests
{
    [Fact]
    public async Task A_sitemap_index_leads_through_its_sitemaps_to_the_articles_and_stays_in_scope()
    {
        await using var site = await NewsSite.StartAsync();
        using var worker = await TestWorker.StartAsync(site, s => s["Crawler:Sources:0:Seeds:0"] = new Uri(site.BaseUrl, "sitemap-index.xml").AbsoluteUri);

        var report = await worker.CrawlAsync();

        Assert.Equal(2, report.Tally.Listed);     // the index and its sitemap
        Assert.Equal(2, report.Tally.Snapshots);  // articles 1 and 2; the off-site entry was not queued
        Assert.Equal(1, site.RequestsTo("/news/a/1.html"));
    }

    [Fact]
    public async Task A_sitemap_lastmod_older_than_the_last_fetch_skips_the_page_on_the_next_run()
    {
        await using var site = await NewsSite.StartAsync();
        using var worker = await TestWorker.StartAsync(site, s => s["Crawler:Sources:0:Seeds:0"] = new Uri(site.BaseUrl, "sitemap-news.xml").AbsoluteUri);
        site.SitemapLastMod = DateTimeOffset.UtcNow.AddDays(-1);
        await worker.CrawlAsync();

        var second = await worker.CrawlAsync();
        Assert.Equal(1, second.Tally.Queued); // only the sitemap itself
        Assert.Equal(1, site.RequestsTo("/news/a/1.html"));

        site.SitemapLastMod = DateTimeOffset.UtcNow.AddMinutes(1); // the site says the articles changed
        var third = await worker.CrawlAsync();
        Assert.Equal(3, third.Tally.Queued);
        Assert.Equal(2, site.RequestsTo("/news/a/1.html"));
    }

    [Fact]
    public async Task Pagination_matching_follow_is_read_for_links_but_not_kept()
    {
        await using var site = await NewsSite.StartAsync(new NewsSiteOptions { Articles = 2, SlowArticles = 3, SlowDelay = TimeSpan.Zero });
        using var worker = await TestWorker.StartAsync(site, s =>
        {
            s["Crawler:Sources:0:Include"] = "/news/(a|slow)/[0-9]+\\.html$";
            s["Crawler:Sources:0:Follow"] = "/news/list/[0-9]+$";
        });

        var report = await worker.CrawlAsync();

        Assert.Equal(2, report.Tally.Listed);      // list 1 (seed) and list 2 (followed)
        Assert.Equal(5, report.Tally.Snapshots);   // 2 articles from list 1, 3 from list 2
        Assert.Equal(1, site.RequestsTo("/news/list/2"));
        Assert.Equal("List", worker.Scalar("SELECT kind FROM frontier WHERE url = $u", ("$u", new Uri(site.BaseUrl, "news/list/2").AbsoluteUri)));
        Assert.Equal(0L, worker.Count("snapshots WHERE canonical_url LIKE '%/news/list/%'"));
    }

    [Fact]
    public async Task Rss_and_atom_feeds_are_seeds()
    {
        await using var site = await NewsSite.StartAsync();
        using var worker = await TestWorker.StartAsync(site, s =>
        {
            s["Crawler:Sources:0:Seeds:0"] = new Uri(site.BaseUrl, "feed.rss").AbsoluteUri;
            s["Crawler:Sources:0:Seeds:1"] = new Uri(site.BaseUrl, "atom.xml").AbsoluteUri;
        });

        var report = await worker.CrawlAsync();

        Assert.Equal(2, report.Tally.Snapshots);
        Assert.NotNull(await worker.Store.GetLatestSnapshotAsync(new Uri(site.BaseUrl, "news/a/3.html").AbsoluteUri));
        Assert.NotNull(await worker.Store.GetLatestSnapshotAsync(new Uri(site.BaseUrl, "news/a/4.html").AbsoluteUri));
    }

    [Fact]
    public async Task Sitemap_lines_of_robots_txt_seed_the_run_when_asked()
    {
        await using var site = await NewsSite.StartAsync(new NewsSiteOptions { RobotsTxt = "User-agent: *\nAllow: /\nSitemap: {base}sitemap-news.xml\n" });
        Action<Dictionary<string, string>> listWithoutArticles = s => s["Crawler:Sources:0:Seeds:0"] = new Uri(site.BaseUrl, "news/list/2").AbsoluteUri;

        using (var plain = await TestWorker.StartAsync(site, listWithoutArticles))
        {
            var report = await plain.CrawlAsync();
            Assert.Equal(0, site.RequestsTo("/sitemap-news.xml"));
            Assert.Equal(0, report.Tally.Snapshots);
        }

        using var discovering = await TestWorker.StartAsync(site, s =>
        {
            listWithoutArticles(s);
            s["Crawler:Sources:0:DiscoverSitemaps"] = "true";
        });
        var discovered = await discovering.CrawlAsync();
        Assert.Equal(1, site.RequestsTo("/sitemap-news.xml"));
        Assert.Equal(2, discovered.Tally.Snapshots);
    }
}
