namespace Crawler.Extraction;

/// <summary>What a block of the main text is, so renderers can keep section heads and captions apart.</summary>
public enum BlockKind
{
    Paragraph,
    Heading,
    ListItem,
    Quote,
    Caption,
}

/// <summary>One paragraph-level unit of the main text, already normalized (NFC, collapsed whitespace).</summary>
public sealed record ContentBlock(BlockKind Kind, string Text);

/// <summary>A hyperlink found on the page, resolved to an absolute http(s) URL.</summary>
public sealed record PageLink(string Url, string Text, bool NoFollow);

/// <summary>
/// The structured result of extracting one HTML page. Pure data: the extractor does no I/O.
/// </summary>
public sealed record ExtractedArticle
{
    public string? Title { get; init; }

    /// <summary>Publish time with an explicit offset; a page time without a zone is read in the configured zone.</summary>
    public DateTimeOffset? PublishedAt { get; init; }

    /// <summary>The publish time as written on the page, for audit.</summary>
    public string? PublishedText { get; init; }

    public string? Author { get; init; }

    /// <summary>The source / publisher named by the page (e.g. "新华社" from "来源:新华社").</summary>
    public string? Publisher { get; init; }

    public string? Category { get; init; }

    public IReadOnlyList<string> Keywords { get; init; } = [];

    /// <summary>The main text in reading order: paragraphs, section heads, list items, quotes, captions.</summary>
    public IReadOnlyList<ContentBlock> Blocks { get; init; } = [];

    public IReadOnlyList<string> ImageCaptions { get; init; } = [];

    /// <summary>Absolute URL from &lt;link rel=canonical&gt;, if the page declares one.</summary>
    public string? CanonicalUrl { get; init; }

    public string? Language { get; init; }

    public string? LeadImage { get; init; }

    /// <summary>Every http(s) link on the page (not only the body), for the frontier.</summary>
    public IReadOnlyList<PageLink> Links { get; init; } = [];

    /// <summary>Links inside the main text.</summary>
    public IReadOnlyList<PageLink> BodyLinks { get; init; } = [];

    /// <summary>False when the page has no main text worth a snapshot (a list page, an error page, a stub).</summary>
    public bool LooksLikeArticle { get; init; }

    /// <summary>Things the extractor noticed and did not silently fix, e.g. a second article dropped.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The main text as plain text: blocks separated by blank lines.</summary>
    public string Body => string.Join("\n\n", Blocks.Select(b => b.Text));
}
