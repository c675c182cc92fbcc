using HtmlAgilityPack;

namespace Crawler.Extraction;

/// <summary>One element of the page, numbered in document order so subtrees are id ranges.</summary>
internal sealed class ElementInfo
{
    public required HtmlNode Node { get; init; }
    public required string Tag { get; init; }

    /// <summary>The class attribute, read once during the walk ("" when absent).</summary>
    public string Class { get; init; } = "";
    public int Id { get; init; }
    public int Parent { get; init; }
    public int Hint { get; set; }
    public bool Crumb { get; init; }
    public int SubtreeEnd { get; set; }
    public int TextWeight { get; set; }

    // Filled top-down after the walk.
    public int EffectiveHint { get; set; }
    public int HintAnchor { get; set; } = -1;
    public bool InCrumb { get; set; }
    public double Score { get; set; }
    public double Positive { get; set; }
    public double Candidate { get; set; }
    public int Weight { get; set; }
    public int LinkWeight { get; set; }
    public double LinkDensity => Weight == 0 ? 0 : (double)LinkWeight / Weight;
    public double Negative { get; set; }
}

/// <summary>A paragraph-level run of text as a reader would see it.</summary>
internal sealed class TextBlock
{
    public required string Text { get; init; }
    public BlockKind Kind { get; set; }
    public int Owner { get; init; }
    public int Weight { get; init; }
    public int LinkWeight { get; init; }
    public int BoldWeight { get; init; }
    public int Punct { get; init; }
    public bool ImageBefore { get; init; }
    public int HeadingLevel { get; init; }
    public double Value { get; set; }
    public bool Meta { get; set; }
    public bool Boilerplate { get; set; }

    /// <summary>Collapsed by a "hidden" class: not shown, so not body, but its byline still names the author.</summary>
    public bool Hidden { get; init; }

    public double LinkDensity => Weight == 0 ? 0 : (double)LinkWeight / Weight;

    /// <summary>Computed once: title matching, body selection and de-duplication all compare blocks by it.</summary>
    public string Key => _key ??= Crawler.Extraction.Text.Key(Text);

    /// <summary>
    /// <c>Key == key</c>, without building the key of a block that has none yet: comparing every paragraph with the
    /// title built a key for all of a page's text, 3% of a crawl's CPU, where the first few letters decide.
    /// </summary>
    public bool KeyEquals(string key) => _key is { } own ? own == key : Crawler.Extraction.Text.KeyEquals(Text, key);

    private string? _key;
}

internal sealed record RawLink(string Url, string Text, bool NoFollow, int Block);

internal sealed record RawImage(string Src, int Owner, int BlockIndex, string? Alt);
