using System.Text;

namespace Crawler.Extraction;

/// <summary>Where the character encoding of a page was learned from.</summary>
public enum CharsetSource
{
    ByteOrderMark,
    HttpHeader,
    MetaTag,
    Detected,
    Default,
}

public sealed record DecodedHtml(string Html, Encoding Encoding, CharsetSource Source);
