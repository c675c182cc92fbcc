using System.Globalization;
using System.Text;
using Crawler.Storage.Snapshots;
using Microsoft.Extensions.Options;

namespace Crawler.Worker.Normalization;

/// <summary>
/// Renders a snapshot as text in the seed page's layout: the category / publish time / source line, title, body,
/// keywords, then the disclaimer, the generation time, the takedown notice and the original URL (never blank).
/// </summary>
public sealed class SnapshotTextRenderer(IOptions<SnapshotOptions> options)
{
    private const string TimeFormat = "yyyy-MM-dd HH:mm:ss";
    private readonly SnapshotOptions _options = options.Value;
    private readonly TimeZoneInfo _zone = TimeZoneInfo.FindSystemTimeZoneById(options.Value.TimeZone);

    public string Render(Snapshot snapshot)
    {
        var labels = _options.Labels;
        var text = new StringBuilder();
        var meta = new List<string>();
        if (!string.IsNullOrWhiteSpace(snapshot.Category))
        {
            meta.Add(labels.Category + snapshot.Category);
        }

        if (snapshot.PublishedAt is { } published)
        {
            meta.Add(labels.Published + TimeZoneInfo.ConvertTime(published, _zone).ToString(TimeFormat, CultureInfo.InvariantCulture));
        }
        else if (!string.IsNullOrWhiteSpace(snapshot.PublishedText))
        {
            meta.Add(labels.Published + snapshot.PublishedText);
        }

        if (!string.IsNullOrWhiteSpace(snapshot.Publisher))
        {
            meta.Add(labels.Publisher + snapshot.Publisher);
        }

        if (!string.IsNullOrWhiteSpace(snapshot.Author))
        {
            meta.Add(labels.Author + snapshot.Author);
        }

        if (meta.Count > 0)
        {
            text.AppendJoin(' ', meta).Append("\n\n");
        }

        text.Append(snapshot.Title).Append("\n\n");
        foreach (var block in snapshot.Blocks)
        {
            text.Append(block.Kind == SnapshotBlockKind.ListItem ? "• " : "").Append(block.Text).Append("\n\n");
        }

        if (snapshot.Keywords.Count > 0)
        {
            text.Append(labels.Keywords).AppendJoin(labels.KeywordSeparator, snapshot.Keywords).Append("\n\n");
        }

        text.Append(snapshot.Disclaimer).Append("\n\n");
        text.Append(labels.GeneratedAt).Append(TimeZoneInfo.ConvertTime(snapshot.GeneratedAt, _zone).ToString(TimeFormat, CultureInfo.InvariantCulture)).Append("\n\n");
        text.Append(snapshot.TakedownNotice).Append("\n\n");
        text.Append(labels.OriginalUrl).Append(string.IsNullOrWhiteSpace(snapshot.OriginalUrl) ? snapshot.CanonicalUrl : snapshot.OriginalUrl).Append('\n');
        return text.ToString();
    }
}
