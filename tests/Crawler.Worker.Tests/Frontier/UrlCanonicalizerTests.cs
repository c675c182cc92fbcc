using Crawler.Worker.Frontier;

namespace Crawler.Worker.Tests.Frontier;

public sealed class UrlCanonicalizerTests
{
    [Theory]
    [InlineData("HTTP://News.Example.COM:80/World/Story.html#comments", "http://news.example.com/World/Story.html")]
    [InlineData("https://example.com:443/a?utm_source=x&id=7&utm_medium=y&fbclid=z", "https://example.com/a?id=7")]
    [InlineData("https://example.com/a?", "https://example.com/a")]
    [InlineData("https://example.com:8443/a?b=2&a=1", "https://example.com:8443/a?b=2&a=1")]
    [InlineData("https://例子.测试/新闻", "https://xn--fsqu00a.xn--0zwm56d/%E6%96%B0%E9%97%BB")]
    public void Canonical_form_drops_what_does_not_name_a_different_page(string raw, string expected) =>
        Assert.Equal(expected, UrlCanonicalizer.CanonicalString(raw));

    [Theory]
    [InlineData("../b/c.html", "https://example.com/a/x/y.html", "https://example.com/a/b/c.html")]
    [InlineData("//cdn.example.com/p", "https://example.com/", "https://cdn.example.com/p")]
    [InlineData("?page=2", "https://example.com/list", "https://example.com/list?page=2")]
    public void Relative_and_protocol_relative_links_resolve_against_the_page(string href, string page, string expected) =>
        Assert.Equal(expected, UrlCanonicalizer.CanonicalString(href, new Uri(page)));

    [Theory]
    [InlineData("javascript:void(0)")]
    [InlineData("mailto:desk@example.com")]
    [InlineData("ftp://example.com/file")]
    [InlineData("http://")]
    [InlineData("   ")]
    public void Links_that_are_not_web_pages_are_refused(string href) =>
        Assert.Null(UrlCanonicalizer.CanonicalString(href, new Uri("https://example.com/")));
}
