using Crawler.Storage.Snapshots;
using Crawler.Worker.Normalization;
using Microsoft.Extensions.Options;

namespace Crawler.Worker.Tests.Normalization;

public sealed class SnapshotTextRendererTests
{
    private static readonly Snapshot Sample = new()
    {
        Source = "fixture",
        CanonicalUrl = "https://news.example/a/1.html",
        OriginalUrl = "https://news.example/a/1.html?from=list",
        FinalUrl = "https://news.example/a/1.html",
        Title = "纳卡局势再紧张 阿塞拜疆发起军事行动",
        PublishedAt = new DateTimeOffset(2023, 9, 20, 7, 50, 0, TimeSpan.Zero),
        Publisher = "新华社",
        Category = "国际",
        Blocks = [new(SnapshotBlockKind.Paragraph, "第一段。"), new(SnapshotBlockKind.Heading, "【局势再升级】"), new(SnapshotBlockKind.Paragraph, "第二段。")],
        Keywords = ["纳戈尔诺-卡拉巴赫", "阿塞拜疆"],
        SiteName = "td.example",
        Disclaimer = "以上内容为资讯信息快照,由td.example爬虫进行采集并收录,本站未对信息做任何修改,信息内容不代表本站立场。",
        TakedownNotice = "本站信息快照查询为非营利公共服务,如有侵权请联系我们进行删除。",
        GeneratedAt = new DateTimeOffset(2023, 9, 20, 10, 45, 5, TimeSpan.Zero),
        ContentHash = "00",
    };

    [Fact]
    public void Renders_the_seed_layout_with_disclaimer_generation_time_in_the_configured_zone_and_original_url()
    {
        var text = new SnapshotTextRenderer(Options.Create(new SnapshotOptions { TimeZone = "Asia/Shanghai" })).Render(Sample);
        Assert.Equal("""
            类别:国际 发布时间:2023-09-20 15:50:00 来源:新华社

            纳卡局势再紧张 阿塞拜疆发起军事行动

            第一段。

            【局势再升级】

            第二段。

            关键词:纳戈尔诺-卡拉巴赫、阿塞拜疆

            以上内容为资讯信息快照,由td.example爬虫进行采集并收录,本站未对信息做任何修改,信息内容不代表本站立场。

            快照生成时间:2023-09-20 18:45:05

            本站信息快照查询为非营利公共服务,如有侵权请联系我们进行删除。

            信息原文地址:https://news.example/a/1.html?from=list

            """.ReplaceLineEndings("\n"), text);
    }

    [Fact]
    public void The_original_url_line_is_never_empty()
    {
        var text = new SnapshotTextRenderer(Options.Create(new SnapshotOptions())).Render(Sample with { OriginalUrl = "" });
        Assert.EndsWith("信息原文地址:https://news.example/a/1.html\n", text, StringComparison.Ordinal);
    }
}
