namespace Crawler.Extraction.Tests;

/// <summary>Byline, date and title layouts common on Chinese portals, blogs and government sites, one page each.</summary>
public class FieldPatternTests
{
    private static readonly ArticleExtractor Chinese = new(new ExtractionOptions { DefaultTimeZone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai") });
    private static readonly Uri Url = new("https://news.example.cn/a/1.html");

    private const string Prose = "今年春天，县里的三所小学开始试行课后托管服务，家长可以在下午五点半以后再来接孩子。学校表示，托管期间由老师轮流值班，学生可以完成作业，也可以参加阅读和体育活动。";

    private static string Body(int paragraphs = 4) => string.Concat(Enumerable.Repeat($"<p>{Prose}</p>", paragraphs));

    [Fact]
    public void Bare_name_under_a_repeated_headline_is_the_author()
    {
        var html = $"""
            <html><head><title>李明：我在乡村学校的一年</title></head><body>
            <div class="nav"><a href="/">首页</a> <a href="/c">专栏</a></div>
            <h2>李明：我在乡村学校的一年</h2>
            <div>作者： 来源： 发布日期：2019-03-02</div>
            <div class="content"><p>我在乡村学校的一年</p><p>李明</p>{Body()}</div>
            </body></html>
            """;
        Assert.Equal("李明", Chinese.Extract(html, Url).Author);
    }

    [Fact]
    public void Section_word_under_the_headline_is_not_an_author()
    {
        var html = $"<html><head><title>乡村学校的一年</title></head><body><h1>乡村学校的一年</h1><p>导读</p><div class=\"content\">{Body()}</div></body></html>";
        Assert.Null(Chinese.Extract(html, Url).Author);
    }

    [Theory]
    [InlineData("来源: 王晓燕", "王晓燕")]
    [InlineData("来源：新华社", null)]
    [InlineData("来源：武汉市教育局", null)]
    public void Sign_off_source_that_names_a_person_is_the_author(string signOff, string? author)
    {
        var html = $"<html><head><title>课后托管试行</title></head><body><h1>课后托管试行</h1><div class=\"content\">{Body()}<p>{signOff}</p></div></body></html>";
        Assert.Equal(author, Chinese.Extract(html, Url).Author);
    }

    [Fact]
    public void Channel_tag_in_a_related_list_is_not_a_sign_off_and_the_editor_is_credited()
    {
        var html = $"""
            <html><head><title>课后托管试行</title></head><body><h1>课后托管试行</h1>
            <div class="content">{Body()}<p>来源：晨报</p><p>编辑：山河</p></div>
            <div><a href="/x/1.html">[组图]球迷看球实录 明星糗态曝光</a>(体育)</div>
            </body></html>
            """;
        Assert.Equal("山河", Chinese.Extract(html, Url).Author);
    }

    [Fact]
    public void Government_disclosure_table_gives_issuer_and_signing_date()
    {
        var html = $"""
            <html><head><title>关于做好春季防汛工作的通知</title><meta name="PubDate" content="2022-03-10 09:00:00"></head><body>
            <table>
              <tr><td>索 引 号：</td><td>000000/2022-00001</td></tr>
              <tr><td>发文机关：</td><td>某某县人民政府</td><td>成文日期：</td><td>2022年03月08日</td></tr>
              <tr><td>标 题：</td><td>关于做好春季防汛工作的通知</td></tr>
              <tr><td>发布日期：</td><td>2022年03月10日</td></tr>
            </table>
            <div class="content"><h2>关于做好春季防汛工作的通知</h2>{Body()}<p>某某县人民政府</p><p>2022年3月8日</p></div>
            </body></html>
            """;
        var a = Chinese.Extract(html, Url);
        Assert.Equal("某某县人民政府", a.Author);
        Assert.Equal(new DateOnly(2022, 3, 8), DateOnly.FromDateTime(a.PublishedAt!.Value.DateTime));
    }

    [Fact]
    public void Reprinted_report_is_dated_by_the_date_line_at_its_head()
    {
        var html = $"""
            <html><head><title>县域小学课后服务调查报告</title></head><body>
            <h1>县域小学课后服务调查报告</h1><div class="date">2005-03-06 16:17:00</div>
            <div class="content"><p><strong>县域小学课后服务调查报告</strong></p><p><strong>2003年5月</strong></p>{Body()}</div>
            </body></html>
            """;
        var a = Chinese.Extract(html, Url);
        Assert.Null(a.PublishedAt);
        Assert.Equal("2003年5月", a.PublishedText);
    }

    [Fact]
    public void Author_archive_link_names_the_blogger()
    {
        var html = $"""
            <html><head><title>春天的托管班 - 博客</title></head><body>
            <div class="post"><p>Saturday, September 10th, 2005 10:56 am</p><h2>春天的托管班</h2>{Body()}</div>
            <div class="sidebar"><a href="https://blog.example.com/?author=102" title="[山野]的博客">山野</a>
            <a href="https://blog.example.com/?pc=3&amp;author=102">未归类</a></div>
            </body></html>
            """;
        Assert.Equal("山野", Chinese.Extract(html, Url).Author);
    }

    [Fact]
    public void Host_name_in_the_title_is_the_site_not_the_headline()
    {
        var html = $"<html><head><title>海边的姑娘 | blog.example.com</title></head><body><div class=\"content\">{Body()}</div></body></html>";
        Assert.Equal("海边的姑娘", Chinese.Extract(html, Url).Title);
    }
}
