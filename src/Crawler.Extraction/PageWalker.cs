using HtmlAgilityPack;

namespace Crawler.Extraction;

/// <summary>
/// One pass over the DOM (iterative, so hostile nesting cannot overflow the stack) that produces the page as a
/// reader sees it: text blocks in order, each element's aggregate text weight, links, images and head metadata.
/// </summary>
internal sealed class PageWalker
{
    private static readonly HashSet<string> Skipped = new(StringComparer.Ordinal)
    {
        "script", "style", "noscript", "iframe", "svg", "template", "select", "option", "button", "input",
        "textarea", "object", "embed", "canvas", "map", "audio", "video", "math", "frameset", "frame", "datalist",
    };

    private static readonly HashSet<string> BlockTags = new(StringComparer.Ordinal)
    {
        "p", "div", "td", "th", "tr", "table", "tbody", "thead", "tfoot", "li", "ul", "ol", "dl", "dt", "dd",
        "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section", "article", "header", "footer", "nav", "aside",
        "figure", "figcaption", "pre", "form", "center", "main", "address", "hr", "body", "html", "caption",
        "fieldset", "legend", "details", "summary", "menu", "dir", "hgroup", "marquee",
    };

    private readonly Uri _pageUrl;
    private Uri _base;
    private readonly TextBuffer _buf = new();
    private readonly TextBuffer _linkBuf = new();
    private int _bufWeight, _bufLinkWeight, _bufBoldWeight;
    private bool _imagePending, _blockImageBefore;
    private int _linkDepth, _boldDepth, _headingLevel, _liDepth, _quoteDepth, _figcaptionDepth;
    private int _owner = -1;
    private int _hiddenDepth;
    private string? _href;
    private bool _hrefNoFollow;

    public PageWalker(Uri pageUrl)
    {
        _pageUrl = pageUrl;
        _base = pageUrl;
    }

    public List<ElementInfo> Elements { get; } = [];
    public List<TextBlock> Blocks { get; } = [];
    public List<RawLink> Links { get; } = [];
    public List<RawImage> Images { get; } = [];
    public Dictionary<string, string> Meta { get; } = new(StringComparer.OrdinalIgnoreCase);
    public List<string> JsonLd { get; } = [];
    public List<(string Value, int Owner)> TimeElements { get; } = [];
    public List<(string Text, int Owner)> AuthorElements { get; } = [];
    public string? TitleTag { get; private set; }
    public string? Canonical { get; private set; }
    public string? HtmlLang { get; private set; }
    public bool RobotsNoFollow { get; private set; }
    public int ArticleBodyElement { get; private set; } = -1;

    private readonly record struct Frame(int Id, bool Block, bool Link, bool Bold, int Heading, bool Li, bool Quote, bool Figcaption, int PrevOwner, bool Collapsed);

    public void Walk(HtmlDocument doc)
    {
        // A text node's text read in place: its Text property is a substring of the page, a copy of every word of it.
        var source = doc.Text;
        var stack = new Stack<(HtmlNode Node, bool Exit)>();
        var frames = new Stack<Frame>();
        stack.Push((doc.DocumentNode, false));
        while (stack.Count > 0)
        {
            var (node, exit) = stack.Pop();
            if (exit)
            {
                Exit(frames.Pop());
                continue;
            }

            switch (node.NodeType)
            {
                case HtmlNodeType.Text:
                    AppendText(source.AsSpan(node.OuterStartIndex, node.OriginalOuterLength));
                    break;
                case HtmlNodeType.Element or HtmlNodeType.Document:
                    if (!Enter(node, out var frame))
                    {
                        break;
                    }

                    frames.Push(frame);
                    stack.Push((node, true));
                    var children = node.ChildNodes;
                    for (var i = children.Count - 1; i >= 0; i--)
                    {
                        stack.Push((children[i], false));
                    }

                    break;
            }
        }

        Flush();
    }

    private bool Enter(HtmlNode node, out Frame frame)
    {
        frame = default;
        var tag = node.NodeType == HtmlNodeType.Document ? "#document" : node.Name;
        switch (tag)
        {
            case "script":
                if (node.GetAttributeValue("type", "").Contains("ld+json", StringComparison.OrdinalIgnoreCase))
                {
                    JsonLd.Add(node.InnerHtml);
                }

                return false;
            case "title":
                TitleTag ??= Text.Normalize(node.InnerHtml);
                return false;
            case "meta":
                ReadMeta(node);
                return false;
            case "link":
                var rel = node.GetAttributeValue("rel", "");
                if (Canonical is null && rel.Contains("canonical", StringComparison.OrdinalIgnoreCase))
                {
                    Canonical = Resolve(node.GetAttributeValue("href", ""));
                }

                return false;
            case "base":
                if (Uri.TryCreate(_pageUrl, Text.Decode(node.GetAttributeValue("href", "")).Trim(), out var b) && b.Scheme is "http" or "https")
                {
                    _base = b;
                }

                return false;
            case "br":
                Flush();
                return false;
            case "img":
                OnImage(node);
                return false;
            case "head":
                break;
        }

        if (Skipped.Contains(tag) || IsHidden(node))
        {
            return false;
        }

        var collapsed = HasHiddenClass(node);
        if (collapsed)
        {
            _hiddenDepth++;
        }

        if (tag == "html")
        {
            HtmlLang ??= NullIfEmpty(node.GetAttributeValue("lang", null) ?? node.GetAttributeValue("xml:lang", null));
        }

        var isBlock = BlockTags.Contains(tag);
        if (isBlock)
        {
            Flush();
        }

        var id = Elements.Count;
        var parent = _frameParent;
        var attrs = node.NodeType == HtmlNodeType.Element ? ClassAndId(node) : "";
        var hint = tag switch
        {
            "nav" or "footer" or "aside" or "header" or "menu" => -1,
            "article" or "main" => 1,
            _ => 0,
        };
        var attrHints = attrs.Length > 0 ? HintsOf(attrs) : default;
        hint += attrHints.Hint;

        var itemprop = node.NodeType == HtmlNodeType.Element ? node.GetAttributeValue("itemprop", "") : "";
        if (itemprop.Equals("articleBody", StringComparison.OrdinalIgnoreCase))
        {
            hint = 2;
            if (ArticleBodyElement < 0)
            {
                ArticleBodyElement = id;
            }
        }
        else if (itemprop is "datePublished" or "dateCreated" && node.Name != "meta")
        {
            var dt = node.GetAttributeValue("datetime", null) ?? node.GetAttributeValue("content", null);
            if (!string.IsNullOrWhiteSpace(dt))
            {
                TimeElements.Insert(0, (Text.Normalize(dt), id));
            }
        }

        if (tag == "time")
        {
            var dt = node.GetAttributeValue("datetime", null);
            if (!string.IsNullOrWhiteSpace(dt))
            {
                TimeElements.Add((Text.Normalize(dt), id));
            }
        }

        if ((tag == "a" && node.GetAttributeValue("rel", "").Contains("author", StringComparison.OrdinalIgnoreCase))
            || itemprop.Equals("author", StringComparison.OrdinalIgnoreCase)
            || (attrs.Length > 0 && (attrs.Contains("author", StringComparison.OrdinalIgnoreCase) || attrs.Contains("byline", StringComparison.OrdinalIgnoreCase))))
        {
            // Read lazily: its text is collected by the walk and joined up in the extractor.
            AuthorElements.Add((string.Empty, id));
        }

        Elements.Add(new ElementInfo
        {
            Node = node,
            Tag = tag,
            Id = id,
            Parent = parent,
            Hint = Math.Clamp(hint, -1, 2),
            Crumb = attrHints.Crumb,
            Class = node.NodeType == HtmlNodeType.Element ? node.GetAttributeValue("class", "") : "",
        });
        _frameParent = id;

        var isLink = false;
        if (tag == "a")
        {
            var href = node.GetAttributeValue("href", null);
            if (href is not null && _href is null)
            {
                _href = href;
                _hrefNoFollow = node.GetAttributeValue("rel", "") is var r
                    && (r.Contains("nofollow", StringComparison.OrdinalIgnoreCase) || r.Contains("sponsored", StringComparison.OrdinalIgnoreCase) || r.Contains("ugc", StringComparison.OrdinalIgnoreCase));
                _linkBuf.Clear();
                isLink = true;
            }

            _linkDepth++;
        }

        var bold = tag is "strong" or "b";
        var heading = tag.Length == 2 && tag[0] == 'h' && tag[1] is >= '1' and <= '6' ? tag[1] - '0' : 0;
        var prevOwner = _owner;
        if (isBlock)
        {
            _owner = id;
        }

        if (bold)
        {
            _boldDepth++;
        }

        var prevHeading = _headingLevel;
        if (heading > 0)
        {
            _headingLevel = heading;
        }

        if (tag == "li")
        {
            _liDepth++;
        }

        if (tag == "blockquote")
        {
            _quoteDepth++;
        }

        if (tag == "figcaption")
        {
            _figcaptionDepth++;
        }

        frame = new Frame(id, isBlock, isLink, bold, heading > 0 ? prevHeading : -1, tag == "li", tag == "blockquote", tag == "figcaption", prevOwner, collapsed);

        _aTags.Push(tag == "a");
        return true;
    }

    /// <summary>
    /// Class names repeat within a page and across the pages of a site, and the hint regexes are the costliest part
    /// of the walk, so each distinct string goes through them once per process (bounded: a hostile site minting
    /// random class names only ever costs a cleared cache).
    /// </summary>
    private static (int Hint, bool Crumb) HintsOf(string attrs)
    {
        if (!HintCache.TryGetValue(attrs, out var h))
        {
            var neg = Patterns.NegativeHint().IsMatch(attrs);
            var pos = Patterns.PositiveHint().IsMatch(attrs);
            h = ((pos ? 1 : 0) - (neg ? 1 : 0), Patterns.CrumbHint().IsMatch(attrs));
            if (HintCache.Count >= MaxCachedHints)
            {
                HintCache.Clear();
            }

            HintCache[attrs] = h;
        }

        return h;
    }

    private const int MaxCachedHints = 20_000;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (int Hint, bool Crumb)> HintCache = new(StringComparer.Ordinal);

    private int _frameParent = -1;
    private readonly Stack<bool> _aTags = new();

    private void Exit(Frame f)
    {
        var isA = _aTags.Pop();
        if (f.Block)
        {
            Flush();
        }

        if (isA)
        {
            _linkDepth--;
            if (f.Link)
            {
                var url = Resolve(_href);
                if (url is not null)
                {
                    var blockIndex = _buf.Length > 0 && _bufWeight > 0 ? Blocks.Count : Blocks.Count - 1;
                    Links.Add(new RawLink(url, Text.Normalize(_linkBuf.Span), _hrefNoFollow, _linkBuf.Length == 0 ? -1 : blockIndex));
                }

                _href = null;
            }
        }

        if (f.Bold)
        {
            _boldDepth--;
        }

        if (f.Heading >= 0)
        {
            _headingLevel = f.Heading;
        }

        if (f.Li)
        {
            _liDepth--;
        }

        if (f.Quote)
        {
            _quoteDepth--;
        }

        if (f.Figcaption)
        {
            _figcaptionDepth--;
        }

        if (f.Collapsed)
        {
            _hiddenDepth--;
        }

        var e = Elements[f.Id];
        e.SubtreeEnd = Elements.Count - 1;
        if (e.Parent >= 0)
        {
            Elements[e.Parent].TextWeight += e.TextWeight;
        }

        _frameParent = e.Parent;
        _owner = f.PrevOwner;
    }

    private void AppendText(ReadOnlySpan<char> raw)
    {
        if (raw.IsEmpty)
        {
            return;
        }

        // entities are rare, and decoding them needs a string
        var text = raw.Contains('&') ? Text.Decode(raw.ToString()) : raw;
        var w = Text.Weight(text);
        if (w > 0 && _bufWeight == 0)
        {
            _blockImageBefore = _imagePending;
            _imagePending = false;
        }

        _buf.Append(text);
        _bufWeight += w;
        if (_linkDepth > 0)
        {
            _bufLinkWeight += w;
            if (_href is not null)
            {
                _linkBuf.Append(text);
            }
        }

        if (_boldDepth > 0 || _headingLevel > 0)
        {
            _bufBoldWeight += w;
        }

        if (_frameParent >= 0)
        {
            Elements[_frameParent].TextWeight += w;
        }
    }

    private void Flush()
    {
        if (_bufWeight > 0)
        {
            var text = Text.Normalize(_buf.Span);
            if (text.Length > 0)
            {
                var kind = _figcaptionDepth > 0 ? BlockKind.Caption
                    : _headingLevel > 0 ? BlockKind.Heading
                    : _quoteDepth > 0 ? BlockKind.Quote
                    : _liDepth > 0 ? BlockKind.ListItem
                    : BlockKind.Paragraph;
                Blocks.Add(new TextBlock
                {
                    Text = text,
                    Kind = kind,
                    Owner = _owner < 0 ? 0 : _owner,
                    Weight = _bufWeight,
                    LinkWeight = Math.Min(_bufLinkWeight, _bufWeight),
                    BoldWeight = _bufBoldWeight,
                    Punct = Text.Punctuation(text),
                    ImageBefore = _blockImageBefore,
                    HeadingLevel = _headingLevel,
                    Hidden = _hiddenDepth > 0,
                });
            }
        }

        _buf.Clear();
        _bufWeight = _bufLinkWeight = _bufBoldWeight = 0;
        _blockImageBefore = false;
    }

    private void OnImage(HtmlNode node)
    {
        var src = node.GetAttributeValue("data-src", null) ?? node.GetAttributeValue("data-original", null) ?? node.GetAttributeValue("src", null);
        var url = Resolve(src);
        if (url is not null)
        {
            Images.Add(new RawImage(url, _owner, Blocks.Count, NullIfEmpty(Text.Normalize(node.GetAttributeValue("alt", null)))));
        }

        if (_bufWeight > 0)
        {
            Flush();
        }

        _imagePending = true;
    }

    private void ReadMeta(HtmlNode node)
    {
        var content = node.GetAttributeValue("content", null);
        if (content is null)
        {
            return;
        }

        var key = node.GetAttributeValue("property", null) ?? node.GetAttributeValue("name", null)
            ?? node.GetAttributeValue("itemprop", null) ?? node.GetAttributeValue("http-equiv", null);
        if (string.IsNullOrWhiteSpace(key))
        {
            return;
        }

        key = key.Trim().ToLowerInvariant();
        var value = Text.Normalize(content);
        if (key == "robots" && value.Contains("nofollow", StringComparison.OrdinalIgnoreCase))
        {
            RobotsNoFollow = true;
        }

        if (value.Length > 0)
        {
            Meta.TryAdd(key, value);
        }
    }

    public string? Resolve(string? href)
    {
        if (string.IsNullOrWhiteSpace(href))
        {
            return null;
        }

        href = Text.Decode(href).Trim();
        if (href.StartsWith('#') || href.StartsWith("javascript:", StringComparison.OrdinalIgnoreCase)
            || href.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) || href.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            if (Uri.TryCreate(_base, href, out var u) && u.Scheme is "http" or "https" && !string.IsNullOrEmpty(u.Host))
            {
                return u.AbsoluteUri;
            }
        }
        catch (UriFormatException)
        {
            // Uri can still throw on some pathological inputs despite TryCreate.
        }

        return null;
    }

    private static bool IsHidden(HtmlNode node)
    {
        if (node.NodeType != HtmlNodeType.Element || !node.HasAttributes)
        {
            return false;
        }

        if (node.Attributes.Contains("hidden") || node.GetAttributeValue("aria-hidden", "") == "true")
        {
            return true;
        }

        var style = node.GetAttributeValue("style", null);
        return style is not null && style.Contains("none", StringComparison.OrdinalIgnoreCase)
            && (style.Replace(" ", "", StringComparison.Ordinal).Contains("display:none", StringComparison.OrdinalIgnoreCase)
                || style.Replace(" ", "", StringComparison.Ordinal).Contains("visibility:hidden", StringComparison.OrdinalIgnoreCase));
    }

    private static bool HasHiddenClass(HtmlNode node)
    {
        var cls = node.NodeType == HtmlNodeType.Element ? node.GetAttributeValue("class", null) : null;
        if (cls is null || !cls.Contains("hid", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        foreach (var token in cls.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            // Utility classes that mean display:none; "overflow-hidden" and responsive "hidden-xs" do not.
            if (token is "hidden" or "hide" or "is-hidden" or "hidden-content" || token.EndsWith("-hide", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static string ClassAndId(HtmlNode node)
    {
        if (!node.HasAttributes)
        {
            return "";
        }

        var c = node.GetAttributeValue("class", "");
        var i = node.GetAttributeValue("id", "");
        return c.Length == 0 ? i : i.Length == 0 ? c : c + " " + i;
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
