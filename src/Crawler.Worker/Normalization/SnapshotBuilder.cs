using System.Buffers;
using Crawler.Extraction;
using Crawler.Storage.Dedupe;
using Crawler.Storage.Snapshots;
using Crawler.Worker.Sources;
using Microsoft.Extensions.Options;

namespace Crawler.Worker.Normalization;

/// <summary>Turns an extracted page into the snapshot record, adding what the snapshot service owns.</summary>
public sealed class SnapshotBuilder(IOptions<SnapshotOptions> options, TimeProvider clock)
{
    private readonly SnapshotOptions _options = options.Value;

    public Snapshot Build(CrawlSource source, ExtractedArticle article, string canonicalUrl, string originalUrl, string finalUrl)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(originalUrl);
        var blocks = article.Blocks.Select(b => new SnapshotBlock(Map(b.Kind), b.Text)).ToList();
        var title = string.IsNullOrWhiteSpace(article.Title) ? blocks.FirstOrDefault()?.Text ?? finalUrl : article.Title;
        return new Snapshot
        {
            Source = source.Name,
            CanonicalUrl = canonicalUrl,
            OriginalUrl = originalUrl,
            FinalUrl = finalUrl,
            Title = title,
            PublishedAt = article.PublishedAt,
            PublishedText = article.PublishedText,
            Publisher = article.Publisher,
            Category = article.Category,
            Author = article.Author,
            Language = article.Language,
            Blocks = blocks,
            ImageCaptions = article.ImageCaptions,
            Keywords = article.Keywords,
            Links = article.BodyLinks.Select(l => l.Url).Distinct(StringComparer.Ordinal).ToList(),
            SiteName = source.SiteName,
            Disclaimer = _options.DisclaimerTemplate.Replace("{site}", source.SiteName, StringComparison.Ordinal),
            TakedownNotice = _options.TakedownNotice,
            GeneratedAt = clock.GetUtcNow(),
            ContentHash = ContentHasher.Hash(title, blocks),
            SimHash = Fingerprint(title, blocks),
        };
    }

    /// <summary>The SimHash of the title and blocks joined by newlines, joined in a pooled buffer rather than a string.</summary>
    private static ulong Fingerprint(string title, List<SnapshotBlock> blocks)
    {
        var length = title.Length + blocks.Sum(b => b.Text.Length + 1);
        var joined = ArrayPool<char>.Shared.Rent(length);
        try
        {
            title.CopyTo(joined);
            var at = title.Length;
            foreach (var block in blocks)
            {
                joined[at++] = '\n';
                block.Text.CopyTo(joined.AsSpan(at));
                at += block.Text.Length;
            }

            return SimHash.Compute(joined.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(joined);
        }
    }

    private static SnapshotBlockKind Map(BlockKind kind) => kind switch
    {
        BlockKind.Heading => SnapshotBlockKind.Heading,
        BlockKind.ListItem => SnapshotBlockKind.ListItem,
        BlockKind.Quote => SnapshotBlockKind.Quote,
        BlockKind.Caption => SnapshotBlockKind.Caption,
        _ => SnapshotBlockKind.Paragraph,
    };
}
