namespace Crawler.Extraction;

public sealed class ExtractionOptions
{
    /// <summary>The zone in which page times written without an offset are read.</summary>
    public TimeZoneInfo DefaultTimeZone { get; init; } = TimeZoneInfo.Utc;

    /// <summary>Below this many characters of main text (a CJK character counts as two) a page is not an article.</summary>
    public int MinArticleLength { get; init; } = 200;
}
