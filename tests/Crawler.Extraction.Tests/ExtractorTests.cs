using System.Text;

namespace Crawler.Extraction.Tests;

public class ExtractorTests
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    private static readonly ArticleExtractor Chinese = new(new ExtractionOptions { DefaultTimeZone = Shanghai });
    private static readonly Uri XinhuaUrl = new("https://news.example.cn/world/2023-09/20/c_1.htm");

    private static ExtractedArticle Xinhua() => Chinese.Extract(Pages.Xinhua, XinhuaUrl);

    [Fact]
    public void Reads_category_publisher_and_title_from_chinese_metadata_line()
    {
        var a = Xinhua();
        Assert.Equal(Pages.XinhuaTitle, a.Title);
        Assert.Equal("国际", a.Category);
        Assert.Equal("新华社", a.Publisher);
        Assert.True(a.LooksLikeArticle);
    }

    [Fact]
    public void Reads_publish_time_from_chinese_text_line_in_configured_zone()
    {
        var a = Xinhua();
        Assert.Equal(new DateTimeOffset(2023, 9, 20, 15, 50, 0, TimeSpan.FromHours(8)), a.PublishedAt);
        Assert.Equal(TimeSpan.FromHours(8), a.PublishedAt!.Value.Offset);
        Assert.Equal("2023-09-20 15:50:00", a.PublishedText);
    }

    [Fact]
    public void Keeps_bracketed_section_heads_as_headings()
    {
        var headings = Xinhua().Blocks.Where(b => b.Kind == BlockKind.Heading).Select(b => b.Text).ToList();
        Assert.Equal(["【局势再升级】", "【多方吁克制】"], headings);
    }

    [Fact]
    public void Body_ends_with_sign_off_and_drops_metadata_and_keywords_lines()
    {
        var a = Xinhua();
        Assert.EndsWith("(完)(新华社专特稿)", a.Blocks[^1].Text, StringComparison.Ordinal);
        Assert.DoesNotContain("发布时间", a.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("关键词", a.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("我的订阅", a.Body, StringComparison.Ordinal);
        Assert.Contains("纳戈尔诺-卡拉巴赫(Nagorno-Karabakh)", a.Keywords);
    }

    [Fact]
    public void Title_is_not_repeated_in_the_body()
    {
        Assert.DoesNotContain(Pages.XinhuaTitle, Xinhua().Body, StringComparison.Ordinal);
    }

    [Fact]
    public void Drops_second_article_after_related_reading_with_a_warning()
    {
        var a = Xinhua();
        Assert.DoesNotContain("埃里温", a.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("相关阅读", a.Body, StringComparison.Ordinal);
        Assert.NotEmpty(a.Warnings);
        Assert.DoesNotContain(a.ImageCaptions, c => c.Contains("埃里温", StringComparison.Ordinal));
    }

    [Fact]
    public void Short_line_after_an_image_is_a_caption()
    {
        var a = Xinhua();
        Assert.Contains("这是9月19日在纳卡地区拍摄的一处街道。", a.ImageCaptions);
        Assert.Contains(a.Blocks, b => b.Kind == BlockKind.Caption && b.Text.StartsWith("这是9月19日", StringComparison.Ordinal));
    }

    [Fact]
    public void Drops_navigation_footer_copyright_and_icp_lines()
    {
        var body = Xinhua().Body;
        foreach (var junk in new[] { "首页", "财经", "版权所有", "ICP", "微博" })
        {
            Assert.DoesNotContain(junk, body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Resolves_links_canonical_and_lead_image_against_the_page()
    {
        var a = Xinhua();
        Assert.Equal("https://news.example.cn/world/2023-09/20/c_1.htm", a.CanonicalUrl);
        Assert.Contains(a.Links, l => l.Url == "https://news.example.cn/world/" && l.Text == "国际");
        Assert.Equal("https://news.example.cn/img/1.jpg", a.LeadImage);
        Assert.Equal("zh", a.Language);
    }

    [Fact]
    public void Reads_english_byline_time_element_and_drops_cookie_banner_and_related_list()
    {
        var a = new ArticleExtractor(new ExtractionOptions()).Extract(Pages.English, new Uri("https://gazette.example.com/news/river-park"));
        Assert.Equal("City council approves new river park", a.Title);
        Assert.Equal("Jane Doe", a.Author);
        Assert.Equal(new DateTimeOffset(2024, 3, 5, 9, 30, 0, TimeSpan.FromHours(-5)), a.PublishedAt);
        Assert.Equal("The Riverside Gazette", a.Publisher);
        Assert.Equal("en", a.Language);
        Assert.True(a.LooksLikeArticle);
        Assert.StartsWith("The city council voted", a.Blocks[0].Text, StringComparison.Ordinal);
        Assert.Contains(a.Blocks, b => b is { Kind: BlockKind.Heading, Text: "Funding questions remain" });
        Assert.Contains(a.Blocks, b => b.Kind == BlockKind.Quote);
        foreach (var junk in new[] { "cookies", "Bridge repairs", "Related stories", "All rights reserved", "Sport", "By Jane Doe" })
        {
            Assert.DoesNotContain(junk, a.Body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Links_skip_javascript_and_mailto_and_carry_nofollow()
    {
        var a = new ArticleExtractor(new ExtractionOptions()).Extract(Pages.English, new Uri("https://gazette.example.com/news/river-park"));
        Assert.DoesNotContain(a.Links, l => !l.Url.StartsWith("https://", StringComparison.Ordinal));
        Assert.Contains(a.Links, l => l.Url == "https://gazette.example.com/news/bridge-repairs" && !l.NoFollow);
        var survey = Assert.Single(a.BodyLinks);
        Assert.True(survey.NoFollow);
        Assert.Equal("survey results", survey.Text);
    }

    [Fact]
    public void Robots_nofollow_meta_marks_every_link_and_base_href_resolves_relative_links()
    {
        const string html = """<html><head><meta name="robots" content="index, nofollow"><base href="https://cdn.example.org/dir/"></head><body><a href="page.html">x</a> <a href="//other.example.org/y">y</a> <a href="http://[bad">z</a></body></html>""";
        var a = new ArticleExtractor(new ExtractionOptions()).Extract(html, new Uri("https://example.org/"));
        Assert.Equal(["https://cdn.example.org/dir/page.html", "https://other.example.org/y"], a.Links.Select(l => l.Url));
        Assert.All(a.Links, l => Assert.True(l.NoFollow));
    }

    [Fact]
    public void Normalizes_entities_zero_width_and_full_width_spaces_but_keeps_chinese_punctuation()
    {
        const string html = "<html><body><div class=\"content\"><p>&nbsp;\u3000第一段\u200B落，\u3000\u3000内容&amp;文字！\u0007</p><p>" +
            "他说：“今天的会议非常重要，我们要认真研究落实各项工作，确保取得实效。”这是一段足够长的正文，用来让页面看起来像一篇文章，而不是一个空壳。</p></div></body></html>";
        var a = new ArticleExtractor(new ExtractionOptions()).Extract(html, new Uri("https://example.cn/a"));
        Assert.Equal("第一段落， 内容&文字！", a.Blocks[0].Text);
    }

    [Fact]
    public void List_page_is_not_an_article()
    {
        var items = string.Concat(Enumerable.Range(1, 40).Select(i => $"<li><a href=\"/news/{i}.html\">第{i}条新闻标题在这里展示给读者</a></li>"));
        var a = Chinese.Extract($"<html><body><ul class=\"list\">{items}</ul></body></html>", new Uri("https://example.cn/list"));
        Assert.False(a.LooksLikeArticle);
        Assert.Equal(40, a.Links.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("<html><body><div><p>unclosed <b>tags <table><tr><td>cell")]
    [InlineData("<<<>>><!-- <script> </div></div></p></html></html>")]
    public void Broken_html_does_not_throw(string html)
    {
        var a = Chinese.Extract(html, XinhuaUrl);
        Assert.False(a.LooksLikeArticle);
    }

    [Fact]
    public void Binary_garbage_and_deep_nesting_do_not_throw()
    {
        var garbage = new byte[20000];
        new Random(7).NextBytes(garbage);
        Assert.False(Chinese.Extract(garbage, null, XinhuaUrl).LooksLikeArticle);
        var deep = string.Concat(Enumerable.Repeat("<div><span>", 20000)) + "x";
        Assert.False(Chinese.Extract(deep, XinhuaUrl).LooksLikeArticle);
    }

    [Theory]
    [InlineData("发布时间:2023-09-20 15:50:00", 2023, 9, 20, 15, 50)]
    [InlineData("2023年9月20日 15:50 来源：人民网", 2023, 9, 20, 15, 50)]
    [InlineData("时间：2005-5-7 21:23:57", 2005, 5, 7, 21, 23)]
    [InlineData("日期：2005/05/07", 2005, 5, 7, 0, 0)]
    public void Reads_chinese_date_forms(string line, int y, int mo, int d, int h, int mi)
    {
        var html = $"<html><head><title>测试标题</title></head><body><h1>测试标题</h1><div>{line}</div><div class=\"content\"><p>{Pages.GbkBody}</p></div></body></html>";
        var a = Chinese.Extract(html, XinhuaUrl);
        Assert.Equal(new DateTimeOffset(y, mo, d, h, mi, a.PublishedAt?.Second ?? 0, TimeSpan.FromHours(8)), a.PublishedAt);
    }

    [Theory]
    [InlineData("作者：张三", "张三")]
    [InlineData("本报记者 王建宏 张文攀", "王建宏 张文攀")]
    [InlineData("文/李四", "李四")]
    public void Reads_chinese_bylines(string line, string author)
    {
        var html = $"<html><head><title>测试标题</title></head><body><h1>测试标题</h1><div>{line}</div><div class=\"content\"><p>{Pages.GbkBody}</p></div></body></html>";
        Assert.Equal(author, Chinese.Extract(html, XinhuaUrl).Author);
    }

    [Fact]
    public void Reads_json_ld_article_fields()
    {
        const string html = """
            <html><head><script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"Storm hits coast","datePublished":"2024-01-02T03:04:05Z","author":{"@type":"Person","name":"Sam Lee"},"publisher":{"@type":"Organization","name":"Coast News"}}</script></head>
            <body><article><p>The storm reached the coast early on Tuesday, bringing heavy rain and strong winds to towns along the shore, officials said.</p></article></body></html>
            """;
        var a = new ArticleExtractor(new ExtractionOptions()).Extract(html, new Uri("https://coast.example.com/a"));
        Assert.Equal("Storm hits coast", a.Title);
        Assert.Equal("Sam Lee", a.Author);
        Assert.Equal("Coast News", a.Publisher);
        Assert.Equal(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero), a.PublishedAt);
    }
}
