using Crawler.Extraction;
using Crawler.Storage.Dedupe;
using Crawler.Worker.Normalization;
using Crawler.Worker.Sources;
using Microsoft.Extensions.Options;

namespace Crawler.Worker.Tests.Normalization;

public sealed class SnapshotBuilderTests
{
    [Fact]
    public void Fingerprint_and_hash_are_those_of_the_title_and_blocks_as_stored()
    {
        var snapshotOptions = new SnapshotOptions { SiteName = "snap.example" };
        var source = new CrawlSource(new SourceOptions { Name = "fixture", Seeds = ["https://news.example/"] }, snapshotOptions);
        var article = new ExtractedArticle
        {
            Title = "港务局：渡轮周一复航",
            Blocks =
            [
                new ContentBlock(BlockKind.Paragraph, "The harbour authority said the ferry would run again on Monday."),
                new ContentBlock(BlockKind.Heading, "天气允许"),
                new ContentBlock(BlockKind.Paragraph, "新华社北京9月20日电，今年春天，县里的三所小学开始试行课后托管服务。"),
            ],
            LooksLikeArticle = true,
        };

        var snapshot = new SnapshotBuilder(Options.Create(snapshotOptions), TimeProvider.System)
            .Build(source, article, "https://news.example/a/1.html", "https://news.example/a/1.html?from=list", "https://news.example/a/1.html");

        Assert.Equal(SimHash.Compute(string.Join('\n', snapshot.Blocks.Select(b => b.Text).Prepend(snapshot.Title))), snapshot.SimHash);
        Assert.Equal(ContentHasher.Hash(snapshot.Title, snapshot.Blocks), snapshot.ContentHash);
        Assert.NotEqual(SimHash.Compute(snapshot.Title), snapshot.SimHash);
    }
}
