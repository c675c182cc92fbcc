using Crawler.Worker.Fetching.Robots;

namespace Crawler.Worker.Tests.Fetching;

public sealed class RobotsRulesTests
{
    private const string Token = "CrawlerSnapshotBot";

    [Theory]
    [InlineData("/news/a/1.html", false)]
    [InlineData("/news/a/public.html", true)]      // longer Allow beats shorter Disallow
    [InlineData("/news/b/1.html", true)]
    [InlineData("/search?q=x", false)]
    [InlineData("/files/report.pdf", false)]       // * and $
    [InlineData("/files/report.pdf.html", true)]
    [InlineData("/robots.txt", true)]
    public void The_most_specific_rule_of_our_group_decides(string path, bool allowed)
    {
        var rules = RobotsRules.Parse("""
            User-agent: *
            Disallow: /

            # ours
            User-agent: crawlersnapshotbot
            Disallow: /news/a/
            Allow: /news/a/public
            Disallow: /search
            Disallow: /*.pdf$
            Crawl-delay: 2.5

            Sitemap: https://news.example/sitemap.xml
            """, Token, out var recognized);
        Assert.True(recognized);
        Assert.Equal(allowed, rules.IsAllowed(path));
        Assert.Equal(TimeSpan.FromSeconds(2.5), rules.CrawlDelay);
        Assert.Equal(["https://news.example/sitemap.xml"], rules.Sitemaps);
    }

    [Fact]
    public void Allow_wins_a_tie_between_equally_specific_rules()
    {
        var rules = RobotsRules.Parse("User-agent: *\nDisallow: /page\nAllow: /page\n", Token, out _);
        Assert.True(rules.IsAllowed("/page"));
    }

    [Fact]
    public void Without_a_group_for_us_the_star_group_applies()
    {
        var rules = RobotsRules.Parse("User-agent: OtherBot\nDisallow: /\n\nUser-agent: *\nDisallow: /private/\n", Token, out _);
        Assert.True(rules.IsAllowed("/news/1.html"));
        Assert.False(rules.IsAllowed("/private/x"));
    }

    [Fact]
    public void Several_agents_share_one_group_and_an_empty_disallow_allows_all()
    {
        var rules = RobotsRules.Parse("User-agent: a\nUser-agent: CrawlerSnapshotBot\nDisallow:\n", Token, out _);
        Assert.True(rules.IsAllowed("/anything"));
    }

    [Fact]
    public void A_file_that_is_not_robots_txt_is_unrecognized_and_allows_all()
    {
        var rules = RobotsRules.Parse("<html><body><h1>Welcome</h1></body></html>", Token, out var recognized);
        Assert.False(recognized);
        Assert.True(rules.IsAllowed("/news/1.html"));
    }
}
