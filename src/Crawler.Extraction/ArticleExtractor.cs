using System.Globalization;
using System.Text.RegularExpressions;
using HtmlAgilityPack;

namespace Crawler.Extraction;

/// <summary>
/// Finds the main article of a news page and its metadata. Pure and thread-safe: every call builds its own state.
/// </summary>
public sealed class ArticleExtractor(ExtractionOptions options)
{
    public ExtractionOptions Options { get; } = options;

    public ExtractedArticle Extract(ReadOnlySpan<byte> html, string? headerCharset, Uri url) =>
        Extract(HtmlTextDecoder.Decode(html, headerCharset).Html, url);

    public ExtractedArticle Extract(string html, Uri url)
    {
        try
        {
            return ExtractCore(html ?? string.Empty, url);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A crawler meets every kind of garbage; one bad page must not stop the batch.
            return new ExtractedArticle { Warnings = [$"extraction failed: {ex.GetType().Name}"] };
        }
    }

    private ExtractedArticle ExtractCore(string html, Uri url)
    {
        // HtmlAgilityPack parses pathological nesting in quadratic time; past this depth a page is garbage anyway.
        var doc = new HtmlDocument { OptionUseIdAttribute = false, OptionMaxNestedChildNodes = 2500, OptionReadEncoding = false, OptionCheckSyntax = false };
        doc.LoadHtml(html);
        var page = new PageWalker(url);
        page.Walk(doc);
        if (page.Elements.Count == 0)
        {
            return new ExtractedArticle();
        }

        var ld = JsonLdInfo.Parse(page.JsonLd);
        var els = page.Elements;
        var blocks = page.Blocks;
        PropagateHints(els);

        var title = ChooseTitle(page, ld);
        var titleKey = title is null ? "" : Text.Key(title);
        var titleIndex = FindTitleBlock(blocks, titleKey);

        var ldBodyKey = ld.ArticleBody is { Length: > 100 } body ? Text.Key(body) : null;
        foreach (var b in blocks)
        {
            b.Meta = IsMetaLine(b.Text, b.Weight);
            b.Boilerplate = b.Weight < 400 && Patterns.IsBoilerplate(b.Text);
            b.Value = b.Hidden ? 0 : BlockValue(b, els[b.Owner], ldBodyKey);
        }

        var container = ChooseContainer(els, blocks);
        var warnings = new List<string>();
        container = FirstOfRepeated(els, container, warnings);
        var roots = WithSiblings(els, container);
        var (kept, inContainer) = SelectBody(page, roots, titleKey, warnings);

        var first = kept.Count > 0 ? kept[0] : inContainer.Count > 0 ? inContainer[0] : blocks.Count;
        if (titleIndex < 0 && first < blocks.Count)
        {
            // The <title> named no line of the page (a generic "显示" or the site name): the headline is the
            // emphasised short line just above the text.
            for (var i = first - 1; i >= Math.Max(0, first - 4); i--)
            {
                var b = blocks[i];
                if ((b.Kind == BlockKind.Heading || b.BoldWeight == b.Weight) && b.Weight is >= 4 and <= 120 && b.LinkWeight == 0 && !b.Meta)
                {
                    title = b.Text;
                    titleIndex = i;
                    break;
                }
            }
        }

        var last = inContainer.Count > 0 ? inContainer[^1] : blocks.Count - 1;
        var anchor = titleIndex >= 0 && titleIndex <= first ? titleIndex : first;
        var ctx = new FieldContext(blocks, anchor, first, last, kept, titleIndex);

        var (publishedAt, publishedText) = FindPublished(page, ld, ctx);
        var publisher = FindPublisher(page, ld, ctx);
        var author = FindAuthor(page, ld, ctx, publisher);
        var keptSet = kept.ToHashSet();
        var bodyBlocks = kept.Select(i => new ContentBlock(blocks[i].Kind, blocks[i].Text)).ToList();
        var bodyWeight = kept.Sum(i => blocks[i].Weight - blocks[i].LinkWeight);
        var containerWeight = inContainer.Sum(i => blocks[i].Weight);
        var containerLinks = inContainer.Sum(i => blocks[i].LinkWeight);

        var links = new List<PageLink>();
        var bodyLinks = new List<PageLink>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var l in page.Links)
        {
            var link = new PageLink(l.Url, l.Text, l.NoFollow || page.RobotsNoFollow);
            if (seen.Add(l.Url))
            {
                links.Add(link);
            }

            if (l.Block >= 0 && keptSet.Contains(l.Block))
            {
                bodyLinks.Add(link);
            }
        }

        var cjk = kept.Sum(i => Text.CjkCount(blocks[i].Text));
        var garbled = kept.Sum(i => Text.GarbledCount(blocks[i].Text)) * 50 > Math.Max(1, kept.Sum(i => blocks[i].Text.Length));
        if (garbled)
        {
            warnings.Add("text looks mis-decoded or binary");
        }

        var language = page.HtmlLang ?? Meta(page, "content-language") ?? Meta(page, "og:locale")?.Replace('_', '-')
            ?? (bodyWeight > 0 && cjk * 2 > bodyWeight / 2 ? "zh" : null);

        return new ExtractedArticle
        {
            Title = title,
            PublishedAt = publishedAt,
            PublishedText = publishedText,
            Author = author,
            Publisher = publisher,
            Category = FindCategory(page, ld, ctx, title),
            Keywords = FindKeywords(page, ld, ctx),
            Blocks = bodyBlocks,
            ImageCaptions = bodyBlocks.Where(b => b.Kind == BlockKind.Caption).Select(b => b.Text).ToList(),
            CanonicalUrl = page.Canonical,
            Language = language,
            LeadImage = page.Resolve(Meta(page, "og:image") ?? Meta(page, "twitter:image") ?? ld.Image)
                ?? page.Images.FirstOrDefault(im => InSubtree(els, container, im.Owner))?.Src,
            Links = links,
            BodyLinks = bodyLinks,
            LooksLikeArticle = bodyWeight >= Options.MinArticleLength && containerLinks < 0.5 * Math.Max(1, containerWeight) && !garbled,
            Warnings = warnings,
        };
    }

    private sealed record FieldContext(List<TextBlock> Blocks, int Anchor, int BodyStart, int BodyEnd, List<int> Kept, int TitleIndex)
    {
        /// <summary>The header zone: title, byline, dateline, and the first lines of the body.</summary>
        public IEnumerable<int> Head()
        {
            var from = Math.Max(0, Math.Min(Anchor, BodyStart) - 3);
            var to = Math.Min(Blocks.Count - 1, BodyStart + 3);
            for (var i = from; i <= to; i++)
            {
                yield return i;
            }
        }

        /// <summary>The tail zone: last body lines and what follows, where sign-offs and sources live.</summary>
        public IEnumerable<int> Tail()
        {
            var lastKept = Kept.Count > 0 ? Kept[^1] : BodyEnd;
            var from = Math.Max(BodyStart, lastKept - 2);
            var to = Math.Min(Blocks.Count - 1, Math.Max(lastKept, BodyEnd) + 4);
            for (var i = from; i <= to; i++)
            {
                yield return i;
            }
        }

        /// <summary>Metadata-looking lines between the head and the body end.</summary>
        public IEnumerable<int> MetaLines()
        {
            var from = Math.Max(0, Math.Min(Anchor, BodyStart) - 6);
            var to = Math.Min(Blocks.Count - 1, BodyEnd + 6);
            for (var i = from; i <= to; i++)
            {
                if (Blocks[i].Meta)
                {
                    yield return i;
                }
            }
        }
    }

    // ---------------------------------------------------------------- scoring

    private static void PropagateHints(List<ElementInfo> els)
    {
        var total = Math.Max(1, els[0].TextWeight);
        foreach (var e in els)
        {
            var parent = e.Parent >= 0 ? els[e.Parent] : null;
            e.InCrumb = e.Crumb || (parent?.InCrumb ?? false);

            // A "negative" wrapper around most of the page is a layout class (e.g. "page-with-sidebar"), not a verdict.
            var wrapper = e.Hint < 0 && e.TextWeight > 0.8 * total;
            if (e.Hint != 0 && !wrapper)
            {
                e.EffectiveHint = e.Hint;
                e.HintAnchor = e.Id;
            }
            else if (parent is not null)
            {
                e.EffectiveHint = parent.EffectiveHint;
                e.HintAnchor = parent.HintAnchor;
            }
        }
    }

    private static double BlockValue(TextBlock b, ElementInfo owner, string? ldBodyKey)
    {
        var nonLink = b.Weight - b.LinkWeight;
        double v = nonLink - (2.0 * b.LinkWeight);
        if (b.Punct == 0 && nonLink < 40)
        {
            v = Math.Min(v, 0) - 4;
        }
        else
        {
            v += 3 * Math.Min(b.Punct, 15);
        }

        if (b.Boilerplate)
        {
            v = -Math.Max(10, b.Weight);
        }
        else if (b.Meta)
        {
            v = Math.Min(v, 0) - 5;
        }

        if (owner.InCrumb)
        {
            v = Math.Min(v, 0) - 5;
        }

        if (owner.EffectiveHint < 0)
        {
            v = v > 0 ? (v * 0.1) - 5 : (v * 1.5) - 5;
        }
        else if (owner.EffectiveHint > 0 && v > 0)
        {
            v *= 1.5;
        }

        if (ldBodyKey is not null && b.Weight >= 20)
        {
            var k = b.Key;
            if (k.Length >= 8)
            {
                v = ldBodyKey.Contains(k, StringComparison.Ordinal) ? Math.Max(v, nonLink) * 1.5 : v * 0.7;
            }
        }

        return v;
    }

    /// <summary>
    /// Readability-style: prose credits the element that holds it and, fading, a few ancestors, so the winner is
    /// the element that directly gathers the most paragraphs. Boilerplate nested deeper inside an article cell
    /// (old table layouts put related lists and ads there) neither helps nor hurts it.
    /// </summary>
    private static int ChooseContainer(List<ElementInfo> els, List<TextBlock> blocks)
    {
        foreach (var e in els)
        {
            e.Score = e.Positive = e.Negative = e.Candidate = 0;
            e.Weight = e.LinkWeight = 0;
        }

        foreach (var b in blocks)
        {
            var e = els[b.Owner];
            e.Score += b.Value;
            e.Weight += b.Weight;
            e.LinkWeight += b.LinkWeight;
            if (b.Value > 0)
            {
                e.Positive += b.Value;
                var level = 0;
                for (var id = b.Owner; id >= 0 && level < 6; id = els[id].Parent, level++)
                {
                    els[id].Candidate += level switch
                    {
                        0 or 1 => b.Value,
                        2 => b.Value / 2,
                        _ => b.Value / (level * 3),
                    };
                }
            }
            else
            {
                e.Negative -= b.Value;
            }
        }

        for (var i = els.Count - 1; i > 0; i--)
        {
            var p = els[i].Parent;
            if (p >= 0)
            {
                var c = els[i];
                els[p].Score += c.Score;
                els[p].Positive += c.Positive;
                els[p].Negative += c.Negative;
                els[p].Weight += c.Weight;
                els[p].LinkWeight += c.LinkWeight;
            }
        }

        // Ancestors come first in id order, so ">=" prefers the tightest element holding the same mass.
        var best = 0;
        var bestValue = 0.0;
        for (var i = 1; i < els.Count; i++)
        {
            var e = els[i];
            var value = e.Candidate * (1 - e.LinkDensity);
            e.Candidate = value;
            if (value >= bestValue && value > 0)
            {
                best = i;
                bestValue = value;
            }
        }

        return best;
    }

    /// <summary>
    /// A page that repeats one post template (blog front pages, forum threads) leads with its main post; the best
    /// scoring one is merely the longest. Prefer the first of comparable repeats and say so.
    /// </summary>
    private static int FirstOfRepeated(List<ElementInfo> els, int top, List<string> warnings)
    {
        var level = 0;
        for (var a = top; a > 0 && level < 5; a = els[a].Parent, level++)
        {
            var cls = els[a].Class;
            if (cls.Length == 0)
            {
                continue;
            }

            var repeats = 0;
            var first = a;
            for (var i = 0; i < els.Count; i++)
            {
                var e = els[i];
                if (i != a && e.Tag == els[a].Tag && !InSubtree(els, i, a) && !InSubtree(els, a, i)
                    && e.Weight >= 200 && e.Positive >= els[a].Positive * 0.2 && e.LinkDensity < 0.25 && e.Class == cls)
                {
                    repeats++;
                    first = Math.Min(first, i);
                }
            }

            if (repeats > 0)
            {
                if (first == a)
                {
                    return top;
                }

                warnings.Add($"page repeats the \"{cls}\" block {repeats + 1} times; kept the first");
                return first;
            }
        }

        return top;
    }

    /// <summary>The winner plus siblings that carry real prose too (a lead paragraph in its own box, a second page of text).</summary>
    private static List<int> WithSiblings(List<ElementInfo> els, int top)
    {
        var roots = new List<int> { top };
        var parent = els[top].Parent;
        if (top == 0 || parent < 0)
        {
            return roots;
        }

        var threshold = Math.Max(20, els[top].Candidate * 0.2);
        for (var i = parent + 1; i <= els[parent].SubtreeEnd; i = els[i].SubtreeEnd + 1)
        {
            var sib = els[i];
            if (i != top && sib.Candidate >= threshold && sib.Score > 0 && sib.LinkDensity < 0.33 && sib.EffectiveHint >= 0)
            {
                roots.Add(i);
            }
        }

        roots.Sort();
        return roots;
    }

    private static bool InsideNegativeRegion(List<ElementInfo> els, int id, int container)
    {
        for (var i = els[id].Parent; i > container && i >= 0; i = els[i].Parent)
        {
            if (els[i].Score < 0 && els[i].Positive < els[i].Negative * 0.5)
            {
                return true;
            }
        }

        return false;
    }

    private static bool InSubtree(List<ElementInfo> els, int root, int id) => id >= root && id <= els[root].SubtreeEnd;

    private (List<int> Kept, List<int> InContainer) SelectBody(PageWalker page, List<int> roots, string titleKey, List<string> warnings)
    {
        var els = page.Elements;
        var blocks = page.Blocks;
        var inContainer = new List<int>();
        for (var i = 0; i < blocks.Count; i++)
        {
            if (roots.Exists(r => InSubtree(els, r, blocks[i].Owner)))
            {
                inContainer.Add(i);
            }
        }

        var kept = new List<int>();
        var keptWeight = 0;
        for (var n = 0; n < inContainer.Count; n++)
        {
            var i = inContainer[n];
            var b = blocks[i];
            var owner = els[b.Owner];
            var container = roots.FindLast(r => r <= b.Owner);
            if (keptWeight >= 100 && Patterns.RelatedMarker().IsMatch(b.Text))
            {
                var rest = inContainer.Skip(n + 1).Select(j => blocks[j]).Where(x => x.LinkDensity < 0.5).Sum(x => x.Weight - x.LinkWeight);
                if (rest >= 100)
                {
                    warnings.Add($"dropped trailing content after \"{Truncate(b.Text, 30)}\" ({rest} chars weight): looks like another article");
                }

                break;
            }

            if (titleKey.Length > 0 && (b.KeyEquals(titleKey)
                    || (b.Kind == BlockKind.Heading && b.HeadingLevel == 1 && b.Key.Length > 0 && titleKey.Contains(b.Key, StringComparison.Ordinal))))
            {
                continue;
            }

            if (b.Hidden || b.Meta || b.LinkDensity > 0.5 || owner.InCrumb || b.Boilerplate)
            {
                continue;
            }

            if (owner.EffectiveHint < 0 && owner.HintAnchor > container)
            {
                continue;
            }

            if (b.Value <= 0 && InsideNegativeRegion(els, b.Owner, container))
            {
                continue;
            }

            if (b.Weight < 80 && (Patterns.BylineStart().IsMatch(b.Text) || IsWholeMatch(Patterns.EnglishByline(), b.Text)))
            {
                continue;
            }

            if (b.Kind == BlockKind.Paragraph)
            {
                if (b.Weight <= 60 && b.Punct == 0 && (b.BoldWeight == b.Weight || (b.Text.StartsWith('【') && b.Text.EndsWith('】'))))
                {
                    b.Kind = BlockKind.Heading;
                }
                else if (b.ImageBefore && b.Weight <= 100 && !b.Text.EndsWith('：') && !b.Text.EndsWith(':'))
                {
                    b.Kind = BlockKind.Caption;
                }
            }

            kept.Add(i);
            keptWeight += b.Weight;
        }


        // Short non-prose lines at the edges are leftovers of headers and footers, not text.
        static bool Weak(TextBlock b) => b.Value <= 0 && b.Kind is not (BlockKind.Heading or BlockKind.Caption) && b.Weight < 40;
        while (kept.Count > 0 && Weak(blocks[kept[0]]))
        {
            kept.RemoveAt(0);
        }

        while (kept.Count > 0 && Weak(blocks[kept[^1]]))
        {
            kept.RemoveAt(kept.Count - 1);
        }

        // Identical lines inside one article are template leftovers (repeated captions, duplicated leads).
        var keys = new HashSet<string>(StringComparer.Ordinal);
        kept.RemoveAll(i => blocks[i].Weight < 200 && blocks[i].Key.Length > 0 && !keys.Add(blocks[i].Key));
        return (kept, inContainer);
    }

    private static bool IsWholeMatch(Regex re, string s)
    {
        var m = re.Match(s);
        return m.Success && m.Length >= s.Length - 2;
    }

    private static string Truncate(string s, int n) => s.Length <= n ? s : s[..n] + "…";

    private static bool IsMetaLine(string t, int weight)
    {
        if (weight > 240)
        {
            return false;
        }

        // Every label ends in a colon and every date has digits: most lines of a page have neither and skip the regexes.
        var colon = t.AsSpan().IndexOfAny(':', '：') >= 0;
        if (colon && Patterns.MetaLineStart().IsMatch(t))
        {
            return true;
        }

        var labels = colon ? Patterns.MetaLabel().Count(t) : 0;
        var sentence = t.Contains('。', StringComparison.Ordinal) || t.Contains('！', StringComparison.Ordinal) || t.Contains('？', StringComparison.Ordinal);
        if (labels >= 2 || (labels == 1 && weight < 100 && !sentence))
        {
            return true;
        }

        return weight < 70 && !sentence && t.AsSpan().IndexOfAnyInRange('0', '9') >= 0 && (Patterns.TextDate().IsMatch(t) || Patterns.EnglishDate().IsMatch(t) || Patterns.DayFirstDate().IsMatch(t));
    }

    // ---------------------------------------------------------------- title

    private static string? ChooseTitle(PageWalker page, JsonLdInfo ld)
    {
        var tag = page.TitleTag is { Length: > 0 } t ? t : null;
        var og = Meta(page, "og:title") ?? Meta(page, "twitter:title") ?? ld.Headline;
        if (og is not null)
        {
            return StripSiteSuffix(og);
        }

        var tagKey = tag is null ? "" : Text.Key(tag);
        foreach (var b in page.Blocks)
        {
            if (b.HeadingLevel is 1 or 2 && b.LinkDensity < 0.5)
            {
                var k = b.Key;
                if (k.Length >= 4 && tagKey.Contains(k, StringComparison.Ordinal))
                {
                    return b.Text;
                }
            }
        }

        if (tag is null)
        {
            return page.Blocks.FirstOrDefault(b => b.HeadingLevel == 1)?.Text;
        }

        var stripped = StripSiteSuffix(tag);
        var strippedKey = Text.Key(stripped);

        // Old layouts show the headline in a styled cell; a body line that is the <title> minus the site name is it.
        foreach (var b in page.Blocks)
        {
            if (b.LinkDensity >= 0.5 || b.Weight > 300)
            {
                continue;
            }

            var k = b.Key;
            if (k.Length >= 4 && k.Length * 10 >= strippedKey.Length * 6 && tagKey.Contains(k, StringComparison.Ordinal) && strippedKey.Length > 0
                && (k.Contains(strippedKey, StringComparison.Ordinal) || strippedKey.Contains(k, StringComparison.Ordinal)))
            {
                return b.Text;
            }
        }

        return stripped;
    }

    internal static string StripSiteSuffix(string title)
    {
        // A segment that is a host name ("blog.example.com") is the site, however long.
        var parts = Patterns.TitleSeparator().Split(title).Select(p => p.Trim()).Where(p => p.Length > 0 && !Patterns.HostName().IsMatch(p)).ToList();
        if (parts.Count <= 1)
        {
            return parts.Count == 1 ? parts[0] : title.Trim();
        }

        // The headline is the longest segment; site and section names are short.
        return parts.MaxBy(p => Text.Weight(p))!;
    }

    private static int FindTitleBlock(List<TextBlock> blocks, string titleKey)
    {
        if (titleKey.Length == 0)
        {
            return -1;
        }

        var fallback = -1;
        for (var i = 0; i < blocks.Count; i++)
        {
            var b = blocks[i];
            if (b.LinkDensity > 0.5)
            {
                continue;
            }

            if (b.KeyEquals(titleKey))
            {
                if (b.Kind == BlockKind.Heading)
                {
                    return i;
                }

                fallback = fallback < 0 ? i : fallback;
            }
        }

        return fallback;
    }

    // ---------------------------------------------------------------- dates

    private static readonly string[] DateMetaKeys =
    [
        "article:published_time", "og:article:published_time", "pubdate", "publishdate", "publish-date", "publish_date",
        "og:release_date", "datepublished", "dc.date.issued", "dc.date", "date", "sailthru.date", "parsely-pub-date", "publication_date",
        "article.published", "published_time", "article:published",
    ];

    private (DateTimeOffset? At, string? Text) FindPublished(PageWalker page, JsonLdInfo ld, FieldContext ctx)
    {
        // An official document is dated by its signing, which its header table gives; the portal's page date is later.
        if (LabelledValue(ctx, Patterns.DocumentDateLabel()) is { } signed && DateMatches(signed).FirstOrDefault() is { Text: not null } d)
        {
            return (d.At, d.Text);
        }

        // So is a reprinted report or document that carries its own date on a line of its own at its head.
        foreach (var i in ctx.Kept.Take(3))
        {
            var t = ctx.Blocks[i].Text;
            if (t.Length <= 20 && DateMatches(t).FirstOrDefault() is { Text: not null } own && own.Text.Length >= t.Length - 1)
            {
                return (own.At, own.Text);
            }
        }

        var structured = new List<string?> { ld.DatePublished };
        structured.AddRange(DateMetaKeys.Select(k => Meta(page, k)));
        structured.AddRange(page.TimeElements.Select(t => t.Value));
        foreach (var s in structured)
        {
            if (s is not null && ParseStructuredDate(s) is { } at)
            {
                return (at, s);
            }
        }

        var blocks = ctx.Blocks;
        (int Score, int Index, DateTimeOffset? At, string Text)? best = null;
        var from = Math.Max(0, Math.Min(ctx.Anchor, ctx.BodyStart) - 15);
        var to = Math.Min(blocks.Count - 1, ctx.BodyEnd + 15);
        for (var i = from; i <= to; i++)
        {
            var text = blocks[i].Text;
            if (text.Length > 300)
            {
                continue;
            }

            foreach (var (at, found, start, hasTime) in DateMatches(text))
            {
                var score = 0;
                var before = text[Math.Max(0, start - 12)..start];
                if (Patterns.DateLabelBefore().IsMatch(before))
                {
                    score += 4;
                }
                else if (Patterns.UpdatedLabelBefore().IsMatch(before))
                {
                    score += 1;
                }

                score += hasTime ? 2 : 0;
                score += blocks[i].Meta || blocks[i].Weight < 100 ? 1 : 0;
                score += at is null ? -2 : 0;
                var lo = Math.Min(ctx.Anchor, ctx.BodyStart) - 3;
                if (i >= lo && i <= ctx.BodyStart + 2)
                {
                    score += 4;
                }
                else if (i < lo)
                {
                    score -= 2;
                }
                else if (i > ctx.BodyEnd)
                {
                    score -= 1;
                }
                else
                {
                    score -= blocks[i].Meta ? 0 : 2;
                }

                if (best is null || score > best.Value.Score)
                {
                    best = (score, i, at, found);
                }
            }
        }

        return best is { } b ? (b.At, b.Text) : (null, null);
    }

    private IEnumerable<(DateTimeOffset? At, string Text, int Start, bool HasTime)> DateMatches(string text)
    {
        if (text.AsSpan().IndexOfAnyInRange('0', '9') < 0)
        {
            yield break;
        }

        foreach (Match m in Patterns.TextDate().Matches(text))
        {
            var at = Build(m, Num(m, "y"), Num(m, "m"), Num(m, "d"));
            if (at is not null)
            {
                yield return (at, m.Value.Trim(), m.Index, m.Groups["H"].Success);
            }
        }

        foreach (Match m in Patterns.EnglishDate().Matches(text))
        {
            var mon = Array.FindIndex(Months, x => m.Groups["mon"].Value.StartsWith(x, StringComparison.OrdinalIgnoreCase)) + 1;
            var at = Build(m, Num(m, "y"), mon, Num(m, "d"));
            if (at is not null)
            {
                yield return (at, m.Value.Trim(), m.Index, m.Groups["H"].Success);
            }
        }

        foreach (Match m in Patterns.DayFirstDate().Matches(text))
        {
            var mon = m.Groups["mon"].Success ? MonthNumber(m.Groups["mon"].Value) : Num(m, "m");
            var at = Build(m, Num(m, "y"), mon, Num(m, "d"));
            if (at is not null)
            {
                yield return (at, m.Value.Trim(), m.Index, m.Groups["H"].Success);
            }
        }

        foreach (Match m in Patterns.UsDate().Matches(text))
        {
            var at = Build(m, Num(m, "y"), Num(m, "m"), Num(m, "d"));
            if (at is not null)
            {
                yield return (at, m.Value.Trim(), m.Index, m.Groups["H"].Success);
            }
        }

        foreach (Match m in Patterns.TextYearMonth().Matches(text))
        {
            // Month precision only: kept as text, no invented day.
            yield return (null, m.Value.Trim(), m.Index, false);
        }
    }

    private static readonly string[] Months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

    // German, French, Spanish, Italian, Portuguese and Dutch month names in full; three-letter entries also stand for
    // the abbreviations ("Jan.", "Feb.", "Mär.") the languages share.
    private static readonly (string Prefix, int Month)[] ForeignMonths =
    [
        ("januar", 1), ("janvier", 1), ("enero", 1), ("gennaio", 1), ("janeiro", 1), ("jan", 1),
        ("februar", 2), ("février", 2), ("fevrier", 2), ("febrero", 2), ("febbraio", 2), ("fevereiro", 2), ("feb", 2),
        ("märz", 3), ("mars", 3), ("marzo", 3), ("março", 3), ("maart", 3), ("mär", 3),
        ("april", 4), ("avril", 4), ("abril", 4), ("aprile", 4),
        ("mai", 5), ("mayo", 5), ("maggio", 5), ("maio", 5), ("mei", 5),
        ("juni", 6), ("juin", 6), ("junio", 6), ("giugno", 6), ("junho", 6),
        ("juli", 7), ("juillet", 7), ("julio", 7), ("luglio", 7), ("julho", 7),
        ("august", 8), ("août", 8), ("aout", 8), ("agosto", 8), ("augustus", 8),
        ("september", 9), ("septembre", 9), ("septiembre", 9), ("settembre", 9), ("setembro", 9),
        ("oktober", 10), ("octobre", 10), ("octubre", 10), ("ottobre", 10), ("outubro", 10),
        ("november", 11), ("novembre", 11), ("noviembre", 11), ("novembro", 11),
        ("dezember", 12), ("décembre", 12), ("decembre", 12), ("diciembre", 12), ("dicembre", 12), ("dezembro", 12), ("december", 12),
    ];

    private static int MonthNumber(string name)
    {
        foreach (var (prefix, month) in ForeignMonths)
        {
            if (name.Equals(prefix, StringComparison.OrdinalIgnoreCase) || (prefix.Length == 3 && name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
            {
                return month;
            }
        }

        var en = Array.FindIndex(Months, x => name.StartsWith(x, StringComparison.OrdinalIgnoreCase));
        return en >= 0 ? en + 1 : -1;
    }

    private static int Num(Match m, string g) => m.Groups[g].Success && int.TryParse(m.Groups[g].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1;

    private DateTimeOffset? Build(Match m, int y, int mo, int d)
    {
        if (y < 1990 || mo is < 1 or > 12 || d < 1 || d > DateTime.DaysInMonth(y, mo))
        {
            return null;
        }

        int hh = 0, mm = 0, ss = 0;
        if (m.Groups["H"].Success)
        {
            hh = Num(m, "H");
            mm = Num(m, "M");
            ss = Math.Max(0, Num(m, "S"));
            if (m.Groups["ap"].Success)
            {
                var pm = m.Groups["ap"].Value.StartsWith('p') || m.Groups["ap"].Value.StartsWith('P');
                hh = hh % 12 + (pm ? 12 : 0);
            }

            if (hh > 23 || mm > 59 || ss > 59)
            {
                hh = mm = ss = 0;
            }
        }

        return InZone(new DateTime(y, mo, d, hh, mm, ss, DateTimeKind.Unspecified));
    }

    private DateTimeOffset InZone(DateTime local)
    {
        var zone = Options.DefaultTimeZone;
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            local = local.AddHours(1);
        }

        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    private DateTimeOffset? ParseStructuredDate(string s)
    {
        s = s.Trim();
        if (s.Length < 8)
        {
            return null;
        }

        if (Patterns.HasOffset().IsMatch(s) && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var withOffset))
        {
            return withOffset.Year >= 1990 ? withOffset : null;
        }

        if (DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var local) && local.Year >= 1990)
        {
            return InZone(local);
        }

        // Epoch seconds/milliseconds appear in some CMS meta tags.
        if (long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var epoch) && s.Length is 10 or 13)
        {
            return DateTimeOffset.FromUnixTimeMilliseconds(s.Length == 10 ? epoch * 1000 : epoch).ToOffset(Options.DefaultTimeZone.BaseUtcOffset);
        }

        var m = Patterns.TextDate().Match(s);
        return m.Success ? Build(m, Num(m, "y"), Num(m, "m"), Num(m, "d")) : null;
    }

    // ---------------------------------------------------------------- people and places

    private static string? FindAuthor(PageWalker page, JsonLdInfo ld, FieldContext ctx, string? publisher)
    {
        var blocks = ctx.Blocks;
        var near = ctx.Head().Concat(ctx.MetaLines()).Distinct().ToList();
        var tail = ctx.Tail().ToList();

        foreach (var i in near)
        {
            var t = blocks[i].Text;
            if (CleanName(Patterns.AuthorLabel().Match(t)) is { } a)
            {
                return a;
            }

            if (blocks[i].Weight < 120 && Reporters(t) is { } r)
            {
                // Print layouts put interns and staff reporters on consecutive lines.
                for (var j = i + 1; j < Math.Min(blocks.Count, i + 3) && blocks[j].Weight < 120 && Reporters(blocks[j].Text) is { } more; j++)
                {
                    r += " " + more;
                }

                return r;
            }

            if (Patterns.SlashAuthor().Match(t) is { Success: true } s && blocks[i].Weight < 120)
            {
                return s.Groups["v"].Value;
            }

            if (blocks[i].Weight < 160 && Patterns.EnglishByline().Match(t) is { Success: true } e)
            {
                return e.Groups["v"].Value.Trim();
            }

            if (blocks[i].Weight < 160 && (t.Contains("发表", StringComparison.Ordinal) || t.Contains("发帖", StringComparison.Ordinal))
                && Patterns.PostedBy().Match(t) is { Success: true } p)
            {
                return p.Groups["v"].Value;
            }
        }

        if (ld.Author is not null && ld.AuthorIsPerson)
        {
            return ld.Author;
        }

        foreach (var i in tail)
        {
            var t = blocks[i].Text;
            if (blocks[i].LinkDensity > 0.5)
            {
                // Headlines of other stories, often tagged "(体育)": never this text's sign-off.
                continue;
            }

            if (CleanName(Patterns.AuthorLabel().Match(t)) is { } a)
            {
                return a;
            }

            if (Patterns.TrailingNameParen().Match(t) is { Success: true } paren && Name(paren.Groups["v"].Value) is { } pn)
            {
                return pn.Replace('、', ' ');
            }

            if (blocks[i].Weight < 120 && Reporters(t) is { } r)
            {
                return r;
            }

            if (Patterns.SlashAuthor().Match(t) is { Success: true } s && blocks[i].Weight < 80)
            {
                return s.Groups["v"].Value;
            }
        }

        // Chinese portals fill meta author with a channel name ("体育"); a printed editor line is better evidence.
        var editor = near.Concat(tail).Concat(ctx.MetaLines()).Select(i => Patterns.EditorLabel().Match(blocks[i].Text))
            .FirstOrDefault(m => m.Success)?.Groups["v"].Value.Trim();

        var metaAuthor = Meta(page, "author") ?? Meta(page, "article:author") ?? Meta(page, "byl") ?? Meta(page, "dc.creator") ?? Meta(page, "citation_author") ?? Meta(page, "citation_authors");
        if (editor is not null && metaAuthor is not null && Text.CjkCount(metaAuthor) > 0)
        {
            return editor;
        }

        if (metaAuthor is not null && !metaAuthor.Contains("://", StringComparison.Ordinal) && metaAuthor.Length <= 40
            && metaAuthor != publisher && metaAuthor != Meta(page, "og:site_name") && !metaAuthor.Contains("网", StringComparison.Ordinal))
        {
            return Patterns.EnglishByline().Match(metaAuthor) is { Success: true } e ? e.Groups["v"].Value : metaAuthor;
        }

        foreach (var (_, id) in page.AuthorElements.Take(3))
        {
            var text = Text.Normalize(page.Elements[id].Node.InnerText);
            text = Regex.Replace(text, @"^(?:By|作者|文)\s*[:：/]?\s*", "", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50));
            if (text.Length is >= 2 and <= 40 && !Patterns.MetaLabel().IsMatch(text) && Text.Punctuation(text) <= 1 && Name(text) is { } n)
            {
                return n;
            }
        }

        if (LabelledValue(ctx, Patterns.IssuerLabel()) is { Length: >= 2 and <= 40 } issuer && Name(issuer) is not null)
        {
            return issuer;
        }

        if (BareNameUnderTitle(ctx) is { } bare)
        {
            return bare;
        }

        if (AuthorArchiveLink(page) is { } archived)
        {
            return archived;
        }

        if (ld.Author is not null)
        {
            return ld.Author;
        }

        // A sign-off "来源：尹娟" credits a person where portals usually name a paper.
        foreach (var i in tail)
        {
            if (blocks[i].Weight < 40 && Patterns.SourceLabel().Match(blocks[i].Text) is { Success: true } src && LooksLikePersonalName(src.Groups["v"].Value))
            {
                return src.Groups["v"].Value;
            }
        }

        // Wire copy often credits only its editor; that is the person responsible for the text.
        if (editor is not null)
        {
            return editor;
        }

        foreach (var i in near.Concat(tail))
        {
            var t = blocks[i].Text;
            if (Patterns.ChiefEditorLabel().Match(t) is { Success: true } ed)
            {
                return ed.Groups["v"].Value.Trim();
            }

            if (blocks[i].Meta && (Patterns.TextDate().IsMatch(t) || Patterns.SourceLabel().IsMatch(t)) && Patterns.BracketName().Match(t) is { Success: true } br)
            {
                return br.Groups["v"].Value;
            }
        }

        foreach (var i in near.Concat(ctx.Kept.Take(6)))
        {
            if (Patterns.PhotoCredit().Match(blocks[i].Text) is { Success: true } ph)
            {
                return ph.Groups["v"].Value;
            }
        }

        return null;
    }

    /// <summary>
    /// The value of a "label：value" line in the header zone. Table layouts put label and value in cells of their
    /// own, so an empty value is read from the next line.
    /// </summary>
    private static string? LabelledValue(FieldContext ctx, Regex label)
    {
        var blocks = ctx.Blocks;
        var to = Math.Min(blocks.Count - 1, ctx.BodyStart + 3);
        for (var i = Math.Max(0, Math.Min(ctx.Anchor, ctx.BodyStart) - 30); i <= to; i++)
        {
            if (blocks[i].Weight > 80 || label.Match(blocks[i].Text) is not { Success: true } m)
            {
                continue;
            }

            var v = m.Groups["v"].Value.Trim();
            if (v.Length == 0 && i + 1 < blocks.Count && blocks[i + 1].Weight <= 60 && blocks[i + 1].LinkWeight == 0)
            {
                v = blocks[i + 1].Text;
            }

            if (v.Length > 0)
            {
                return v;
            }
        }

        return null;
    }

    /// <summary>
    /// An essay prints its author's bare name between the headline and the text, sometimes after a repeat of the
    /// headline or a metadata line.
    /// </summary>
    private static string? BareNameUnderTitle(FieldContext ctx)
    {
        if (ctx.TitleIndex < 0)
        {
            return null;
        }

        var blocks = ctx.Blocks;
        var titleKey = blocks[ctx.TitleIndex].Key;
        var to = Math.Min(blocks.Count - 1, Math.Min(ctx.TitleIndex + 4, Math.Max(ctx.BodyStart, ctx.TitleIndex + 1)));
        for (var i = ctx.TitleIndex + 1; i <= to; i++)
        {
            var b = blocks[i];
            if (b.Meta || (b.Key.Length * 2 >= titleKey.Length && titleKey.Contains(b.Key, StringComparison.Ordinal)))
            {
                continue;
            }

            var t = b.Text;
            return t.Length is >= 2 and <= 4 && t.All(Text.IsCjk) && b.LinkWeight == 0 && Name(t) is { } n ? n : null;
        }

        return null;
    }

    /// <summary>Blog engines and news CMSs link the byline to the author's archive: /author/jane-doe/, ?author=102.</summary>
    private static string? AuthorArchiveLink(PageWalker page)
    {
        foreach (var l in page.Links)
        {
            if (l.Text.Length is >= 2 and <= 40 && Patterns.AuthorArchiveUrl().IsMatch(l.Url) && !l.Text.Any(char.IsDigit)
                && l.Text.Split(' ').Length <= 5 && Name(l.Text) is { } n)
            {
                return n;
            }
        }

        return null;
    }

    /// <summary>Two or three Han characters led by a common surname, with no character that names an organisation.</summary>
    private static bool LooksLikePersonalName(string v) =>
        v.Length is 2 or 3 && v.All(c => c is >= '\u4E00' and <= '\u9FFF') && CommonSurnames.Contains(v[0])
        && v.AsSpan(1).IndexOfAny(OrganisationChars) < 0;

    private static readonly HashSet<char> CommonSurnames =
        [.. "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"];

    private static readonly System.Buffers.SearchValues<char> OrganisationChars =
        System.Buffers.SearchValues.Create("省市县区州报网社台刊局部委会院厅所站团馆视讯闻界业司行");

    private static string? CleanName(Match m)
    {
        if (!m.Success)
        {
            return null;
        }

        return Name(m.Groups["v"].Value);
    }

    private static string? Name(string? raw)
    {
        var v = raw?.Trim() ?? "";
        if (v.Length == 0 || v.Length > 40 || Patterns.NotAName().IsMatch(v) || (Patterns.MetaLabel().IsMatch(v + "：") && v.Length <= 4))
        {
            return null;
        }

        return v;
    }

    /// <summary>"本报实习生 甲 乙 本报记者 丙" credits everyone in order.</summary>
    private static string? Reporters(string text)
    {
        var names = new List<string>();
        foreach (Match m in Patterns.ReporterLine().Matches(text))
        {
            names.AddRange(m.Groups["v"].Value.Split([' ', '、', ',', '，'], StringSplitOptions.RemoveEmptyEntries));
        }

        names.RemoveAll(n => n is "报道" or "摄影" or "发自" || Name(n) is null);
        return names.Count == 0 ? null : string.Join(' ', names.Distinct());
    }

    private static string? FindPublisher(PageWalker page, JsonLdInfo ld, FieldContext ctx)
    {
        foreach (var i in ctx.Head().Concat(ctx.MetaLines()).Concat(ctx.Tail()))
        {
            if (Patterns.SourceLabel().Match(ctx.Blocks[i].Text) is { Success: true } m)
            {
                return m.Groups["v"].Value.TrimEnd(']', '】');
            }
        }

        return ld.Publisher ?? Meta(page, "source") ?? Meta(page, "og:site_name") ?? Meta(page, "application-name");
    }

    private static string? FindCategory(PageWalker page, JsonLdInfo ld, FieldContext ctx, string? title)
    {
        foreach (var i in ctx.Head().Concat(ctx.MetaLines()))
        {
            if (Patterns.CategoryLabel().Match(ctx.Blocks[i].Text) is { Success: true } m)
            {
                return m.Groups["v"].Value;
            }
        }

        if ((Meta(page, "article:section") ?? ld.Section) is { } section)
        {
            return section;
        }

        var titleKey = title is null ? "" : Text.Key(title);
        var to = Math.Min(ctx.Blocks.Count - 1, Math.Max(ctx.Anchor, ctx.BodyStart));
        for (var i = 0; i <= to; i++)
        {
            var b = ctx.Blocks[i];
            var labelled = Patterns.CrumbLabel().Match(b.Text);
            if (!labelled.Success && !(b.Owner >= 0 && page.Elements[b.Owner].InCrumb))
            {
                continue;
            }

            var crumbs = Patterns.CrumbSeparator().Split(b.Text[labelled.Length..])
                .Select(c => c.Trim())
                .Where(c => c.Length > 0 && !IsHomeCrumb(c) && Text.Key(c) != titleKey && !Patterns.CrumbLabel().IsMatch(c + "："))
                .ToList();
            if (crumbs.Count > 0 && crumbs[^1].Length <= 20)
            {
                return crumbs[^1];
            }
        }

        return null;
    }

    private static bool IsHomeCrumb(string c) =>
        c is "首页" or "主页" or "网站首页" or "正文" or "内容" or "Home" or "home" or "HOME" or "当前位置" or "您的位置" or "我的订阅" or "正文内容";

    private static List<string> FindKeywords(PageWalker page, JsonLdInfo ld, FieldContext ctx)
    {
        var result = new List<string>();
        result.AddRange(SplitKeywords(Meta(page, "keywords")));
        result.AddRange(SplitKeywords(Meta(page, "news_keywords")));
        result.AddRange(ld.Keywords);
        foreach (var i in ctx.MetaLines().Concat(ctx.Tail()))
        {
            if (Patterns.KeywordLabel().Match(ctx.Blocks[i].Text) is { Success: true } m)
            {
                result.AddRange(SplitKeywords(m.Groups["v"].Value));
            }
        }

        return result.Where(k => k.Length <= 60).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>
    /// Splits on list punctuation when the list has any; otherwise on spaces, which is how Chinese sites separate
    /// keywords. A Latin list with commas keeps multi-word phrases together.
    /// </summary>
    internal static IEnumerable<string> SplitKeywords(string? raw)
    {
        var s = Text.Normalize(raw);
        if (s.Length == 0)
        {
            return [];
        }

        var parts = s.AsSpan().IndexOfAny(KeywordSeparators) >= 0
            ? Patterns.KeywordSeparator().Split(s)
            : s.Split(' ');
        return parts.Select(p => p.Trim().Trim('"', '\'', '#')).Where(p => p.Length > 0);
    }

    private static readonly System.Buffers.SearchValues<char> KeywordSeparators = System.Buffers.SearchValues.Create("，,;；、|｜");

    private static string? Meta(PageWalker page, string key) => page.Meta.TryGetValue(key, out var v) && v.Length > 0 ? v : null;
}
