using System.Buffers;
using System.Text.RegularExpressions;

namespace Crawler.Extraction;

internal static partial class Patterns
{
    // Substring matches on class/id, as Readability does; "ad" only as a whole token because it hides in "header", "read", "load".
    [GeneratedRegex(@"comment|footer|\bfoot|\bnav|menu|sidebar|side-?bar|\baside|related|relate|recommend|\bshare|sharing|social|breadcrumb|crumb|banner|cookie|consent|popup|modal|newsletter|subscribe|promo|sponsor|advert|(?:^|[\s_-])ads?(?:[\s_-]|$)|toolbar|copyright|\brank|hotnews|most-?read|popular|pagination|pager|login|widget|outbrain|taboola|disqus|reply|(?:^|[\s_-])tags?(?:[\s_-]|$)|bottom|masthead|\bheader|\btop-?bar|friendlink|\blinks?\b|xgyd|xgxw|tuijian|rexian|remen|pinglun", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    public static partial Regex NegativeHint();

    [GeneratedRegex(@"article|content|\bmain|body|text|entry|\bpost|story|detail|\bzw|zhengwen|editor|artibody|paragraph|concent|neirong|wenzhang|\bcont\b|\bcon\b|\bnr\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    public static partial Regex PositiveHint();

    [GeneratedRegex(@"breadcrumb|crumb|position|location|daohang|weizhi|\bpath\b|\bnav-?path|\bwhere\b|\bdh\b|\bmbx\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    public static partial Regex CrumbHint();

    [GeneratedRegex(@"^(?:当前位置|您的位置|你的位置|您现在的位置|你现在的位置|现在位置|所在位置|位置)\s*[:：]", RegexOptions.CultureInvariant)]
    public static partial Regex CrumbLabel();

    [GeneratedRegex(@"\s*(?:>>|»|›|＞|>|→|•|·|\||/|\\)\s*", RegexOptions.CultureInvariant)]
    public static partial Regex CrumbSeparator();

    // Lines that are never article text on a news page.
    [GeneratedRegex(@"版权所有|版权声明|copyright|©|\bICP\s*[备证]|[京沪粤浙苏]ICP|公网安备|网安备|违法和不良信息|举报电话|互联网新闻信息服务许可|^\s*(?:上一篇|下一篇|上一页|下一页|返回顶部|返回首页|打印本页|关闭窗口|分享到|分享至|扫一扫|【?\s*打印\s*】?|【?\s*关闭\s*】?)|all rights reserved|^\s*(?:share|tweet|print|email|advertisement|sponsored)\b|(?:本站|本网)(?:声明|郑重声明)|转载请注明|未经授权|原创版权|(?:this site|we) uses? cookies|accept (?:all )?cookies|cookie (?:policy|settings)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    public static partial Regex Boilerplate();

    /// <summary>
    /// <see cref="Boilerplate"/>'s answer, with the regex run only on lines that could match it. Its pattern starts at
    /// the beginning of the line or at one of a few dozen letters, so the generated matcher tried it at every "a", "c",
    /// "t" of every line of every page: a twentieth of a crawl's CPU time. A line matches only if it starts with one of
    /// the anchored words (after white space) or contains one of the words below. Those tests are looser than the
    /// regex, so the regex still decides every line that passes them.
    /// </summary>
    public static bool IsBoilerplate(string text) =>
        (MayStartBoilerplate(text) || text.AsSpan().ContainsAny(LatinBoilerplateWords) || ContainsChineseBoilerplateWord(text))
        && Boilerplate().IsMatch(text);

    /// <summary>
    /// A part of each unanchored Latin alternative of <see cref="Boilerplate"/>. None has a "k", nor may any word of
    /// <see cref="AnchoredLatinBoilerplateWords"/>: ignoring case, the regex also takes the Kelvin sign for a "k", and an
    /// ordinal comparison does not (it is the only non-ASCII character .NET's regex equates with an ASCII letter).
    /// </summary>
    private static readonly SearchValues<string> LatinBoilerplateWords = SearchValues.Create(["copyright", "icp", "all right", "coo"], StringComparison.OrdinalIgnoreCase);

    /// <summary>A part of each unanchored Chinese alternative (and the copyright sign).</summary>
    private static readonly string[] ChineseBoilerplateWords = ["版权", "©", "网安备", "违法和不良信息", "举报电话", "互联网新闻信息服务许可", "声明", "转载请注明", "未经授权"];

    private static readonly SearchValues<char> ChineseBoilerplateStarts = SearchValues.Create(string.Concat(ChineseBoilerplateWords.Select(w => w[0])));

    private static readonly string[] AnchoredLatinBoilerplateWords = ["share", "tweet", "print", "email", "advertisement", "sponsored"];

    /// <summary>The first characters of the anchored Chinese alternatives ("【打印】" included).</summary>
    private static readonly SearchValues<char> AnchoredChineseBoilerplateStarts = SearchValues.Create("上下返打关分扫【");

    /// <summary>
    /// By hand rather than a <see cref="SearchValues{T}"/> of the words or of their first characters: for non-ASCII
    /// values both search character by character, a twentieth of the extractor's time. Every word starts at U+00A9 or
    /// above, which a vectorized range search skips to through Latin text, and a Chinese line is short.
    /// </summary>
    private static bool ContainsChineseBoilerplateWord(ReadOnlySpan<char> text)
    {
        for (var i = text.IndexOfAnyInRange('\u00A9', '\uFFFF'); i >= 0; i = text.IndexOfAnyInRange('\u00A9', '\uFFFF'))
        {
            text = text[i..];
            if (ChineseBoilerplateStarts.Contains(text[0]))
            {
                foreach (var word in ChineseBoilerplateWords)
                {
                    if (text.StartsWith(word, StringComparison.Ordinal))
                    {
                        return true;
                    }
                }
            }

            text = text[1..];
        }

        return false;
    }

    /// <summary>Could the line start with one of the anchored alternatives of <see cref="Boilerplate"/>.</summary>
    private static bool MayStartBoilerplate(ReadOnlySpan<char> text)
    {
        // the regex's \s among ASCII characters
        var start = text.TrimStart(" \t\n\v\f\r");
        if (start.IsEmpty)
        {
            return false;
        }

        var c = start[0];
        if (!char.IsAscii(c))
        {
            // other white space (the regex's \s skips it too) or the start of a Chinese alternative; no anchored Latin
            // word has a "k", the one letter the regex also reads in a non-ASCII character (the Kelvin sign)
            return char.IsWhiteSpace(c) || AnchoredChineseBoilerplateStarts.Contains(c);
        }

        foreach (var word in AnchoredLatinBoilerplateWords)
        {
            if (start.StartsWith(word, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    [GeneratedRegex(@"(?:来源|来自|发布时间|发表时间|发布日期|更新时间|时间|日期|作者|编辑|责任编辑|责编|点击|点击数|浏览|浏览次数|阅读|阅读数|字号|类别|栏目|分类|频道|关键词|关键字|标签|Tags|Source|Published|Posted|Updated)\s*[:：]", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    public static partial Regex MetaLabel();

    [GeneratedRegex(@"^\s*[\[【(（]?\s*(?:关键词|关键字|标签|Tags?|Keywords?|责任编辑|责编|编辑|来源|稿源|类别|栏目|分类|Source|Filed under|Topics?)\s*[:：]", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    public static partial Regex MetaLineStart();

    // A marker after which a page appends other stories; the main one ends here.
    [GeneratedRegex(@"^\s*[\[【]?\s*(?:相关阅读|相关新闻|相关链接|相关文章|相关报道|相关专题|延伸阅读|推荐阅读|更多阅读|扩展阅读|猜你喜欢|热点推荐|热门推荐|热门文章|精彩推荐|往期回顾|Related(?: articles| stories| coverage| content| reading| news)?|Read (?:more|next|also)|More (?:stories|on this story|from)|See also|You may also like|Recommended(?: for you)?|Most (?:read|popular))\s*[\]】]?\s*[:：]?\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    public static partial Regex RelatedMarker();

    [GeneratedRegex(@"(?<y>(?:19|20)\d{2})\s*(?<s1>[-/.年])\s*(?<m>\d{1,2})\s*[-/.月]\s*(?<d>\d{1,2})(?!\d)\s*日?(?:[\sT,，]*(?<H>\d{1,2})\s*[:：时]\s*(?<M>\d{2})(?:\s*[:：分]\s*(?<S>\d{2}))?)?", RegexOptions.CultureInvariant)]
    public static partial Regex TextDate();

    // US order, as old ASP sites print DateTime.ToString(): 9/17/2004 5:54:13 AM.
    [GeneratedRegex(@"(?<!\d)(?<m>\d{1,2})/(?<d>\d{1,2})/(?<y>(?:19|20)\d{2})(?:\s+(?<H>\d{1,2}):(?<M>\d{2})(?::(?<S>\d{2}))?\s*(?<ap>[AaPp]\.?[Mm]\.?)?)?", RegexOptions.CultureInvariant)]
    public static partial Regex UsDate();

    [GeneratedRegex(@"^(?:附图|组图|图|图文|完|待续|未完|原创|转载|视频|摘编|编译|资料|本报讯|新华社|供图|摄|全文|摘要|导读|前言|引言|序言|正文|目录|简介|提要|按语|附件|说明|体育|娱乐|财经|科技|军事|国际|国内|社会|汽车|房产|教育|健康|旅游|时尚|图片|评论|专题)$|[=""<>■□●◆★]|文章|网$|报$|社$|台$|^(?:新闻|资讯|admin|管理员|编辑部|本站|本网|佚名|未知|匿名|unknown)$", RegexOptions.CultureInvariant)]
    public static partial Regex NotAName();

    [GeneratedRegex(@"(?<y>(?:19|20)\d{2})\s*年\s*(?<m>\d{1,2})\s*月(?!\s*\d)", RegexOptions.CultureInvariant)]
    public static partial Regex TextYearMonth();

    [GeneratedRegex(@"\b(?:(?<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+(?<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?<y>(?:19|20)\d{2})|(?<d>\d{1,2})(?:st|nd|rd|th)?\s+(?<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?,?\s+(?<y>(?:19|20)\d{2}))(?:,?\s*(?:at\s*)?(?<H>\d{1,2}):(?<M>\d{2})\s*(?<ap>[ap]\.?m\.?)?)?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    public static partial Regex EnglishDate();

    [GeneratedRegex(@"(?:发布时间|发表时间|发布日期|发表日期|发表于|发布于|时间|日期|Published|Posted|Date|Veröffentlicht(?: am)?|Publié(?: le)?|Publicado(?: el)?|Pubblicato(?: il)?|Gepubliceerd(?: op)?)\s*[:：]?\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    public static partial Regex DateLabelBefore();

    [GeneratedRegex(@"(?:更新时间|更新于|修改时间|Updated|Modified|Aktualisiert(?: am)?|Mis à jour(?: le)?|Actualizado(?: el)?|Aggiornato(?: il)?|Bijgewerkt(?: op)?)\s*[:：]?\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    public static partial Regex UpdatedLabelBefore();

    [GeneratedRegex(@"(?:Z|[+-]\d{2}:?\d{2})$", RegexOptions.CultureInvariant)]
    public static partial Regex HasOffset();

    // Author bylines. Names stop at whitespace-separated labels, brackets and sentence punctuation.
    [GeneratedRegex(@"(?:作\s*者|撰\s*文|撰\s*稿|执笔人?|原作者|文章作者|发布者|发帖人|楼主)\s*[:：]\s*(?<v>[\u4e00-\u9fff]\s{1,4}[\u4e00-\u9fff]{1,2}(?![\u4e00-\u9fff])|[^\s:：|｜,，。;；()（）\[\]【】<>]{1,24}(?:\s+[\u4e00-\u9fff]{2,3}(?=\s|$|[,，、）)]))*)", RegexOptions.CultureInvariant)]
    public static partial Regex AuthorLabel();

    [GeneratedRegex(@"(?:记者|通讯员|实习生|特约撰稿人?|见习记者)\s*[:：]?\s*(?<v>[\u4e00-\u9fff]{2,3}(?:[\s、,，]+[\u4e00-\u9fff]{2,3})*)(?=\s|$|[,，。、）)】\]]|报道|摄|发自)", RegexOptions.CultureInvariant)]
    public static partial Regex ReporterLine();

    [GeneratedRegex(@"^\s*[□■●◎]?\s*(?:[\u4e00-\u9fff]{0,8}(?:记者|通讯员|实习生)\s*)(?<v>[\u4e00-\u9fff]{2,3}(?:\s+[\u4e00-\u9fff]{2,3})*)", RegexOptions.CultureInvariant)]
    public static partial Regex BylineStart();

    [GeneratedRegex(@"(?:^|\s|[（(【\[])文\s*[/／|｜]\s*(?<v>[^\s/／|｜,，。()（）\[\]【】]{2,12})", RegexOptions.CultureInvariant)]
    public static partial Regex SlashAuthor();

    [GeneratedRegex(@"^\s*(?:By|BY|Written by|Words by|Von|VON|Par|PAR|Por|POR|Di|Door|Av|Af)\s+(?<v>[A-Z][\p{L}.'’-]+(?:\s+(?:[A-Z][\p{L}.'’-]+|van|von|de|da|del|der|le|la|bin|al-?\p{L}+)){0,4}(?:\s*(?:,|and|&)\s*[A-Z][\p{L}.'’-]+(?:\s+[A-Z][\p{L}.'’-]+){0,3})*)", RegexOptions.CultureInvariant)]
    public static partial Regex EnglishByline();

    [GeneratedRegex(@"[（(]\s*(?:记者\s*)?(?<v>[\u4e00-\u9fff]{2,3}(?:[\s、]+[\u4e00-\u9fff]{2,3}){0,4})\s*(?:[\u4e00-\u9fff]{2,4}报道)?\s*[)）]\s*$", RegexOptions.CultureInvariant)]
    public static partial Regex TrailingNameParen();

    [GeneratedRegex(@"(?<v>[^\s:：\[\]【】|]{2,20})\s+(?:发表于|发表时间|发帖时间)", RegexOptions.CultureInvariant)]
    public static partial Regex PostedBy();

    [GeneratedRegex(@"(?<![责])编\s*辑\s*[:：]\s*(?<v>[\u4e00-\u9fff]{2,4}(?:[\s、]+[\u4e00-\u9fff]{2,3})*|[A-Za-z][\w.]{1,20})", RegexOptions.CultureInvariant)]
    public static partial Regex EditorLabel();

    [GeneratedRegex(@"(?:责任编辑|责编)\s*[:：]\s*(?<v>[\u4e00-\u9fff]{2,4}(?:[\s、]+[\u4e00-\u9fff]{2,3})*)", RegexOptions.CultureInvariant)]
    public static partial Regex ChiefEditorLabel();

    [GeneratedRegex(@"(?<v>[\u4e00-\u9fff]{2,3})\s*[/／]\s*摄", RegexOptions.CultureInvariant)]
    public static partial Regex PhotoCredit();

    [GeneratedRegex(@"\[\s*(?<v>[\u4e00-\u9fff]{2,4})\s*\]", RegexOptions.CultureInvariant)]
    public static partial Regex BracketName();

    [GeneratedRegex(@"(?:来源|稿源|来自|出处|Source)\s*[:：]\s*[\[【]?\s*(?<v>[^\s:：|｜,，。;；()（）\[\]【】<>]{2,30})", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    public static partial Regex SourceLabel();

    [GeneratedRegex(@"(?:类别|栏目|分类|频道|类型)\s*[:：]\s*(?<v>[^\s:：|｜,，。;；()（）\[\]【】<>]{1,20})", RegexOptions.CultureInvariant)]
    public static partial Regex CategoryLabel();

    [GeneratedRegex(@"(?:关键词|关键字|标签|Tags|Keywords)\s*[:：]\s*(?<v>.+)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    public static partial Regex KeywordLabel();

    [GeneratedRegex(@"\s*(?:[,，;；、|｜]|\s{2,})\s*", RegexOptions.CultureInvariant)]
    public static partial Regex KeywordSeparator();

    [GeneratedRegex(@"\s+(?:[_|｜\-–—·:]|--)\s+|_|｜|\|", RegexOptions.CultureInvariant)]
    public static partial Regex TitleSeparator();

    [GeneratedRegex(@"[?&]author=[^&#=]+$|/(?:author|authors|journalists?|reporters?|writers?|columnists?|byline)/[^/?#]+/?(?:[?#]|$)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    public static partial Regex AuthorArchiveUrl();

    // Government information-disclosure pages head every document with a key-value table.
    [GeneratedRegex(@"^\s*(?:发文机关|发文单位|发布机构|发布单位|制发机关)\s*[:：]\s*(?<v>.*)$", RegexOptions.CultureInvariant)]
    public static partial Regex IssuerLabel();

    [GeneratedRegex(@"^\s*(?:成文日期|成文时间|印发日期)\s*[:：]\s*(?<v>.*)$", RegexOptions.CultureInvariant)]
    public static partial Regex DocumentDateLabel();

    [GeneratedRegex(@"^(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|cn|info|gov|edu|co|io|uk|de|fr|jp|tw|hk)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    public static partial Regex HostName();

    // Day-first dates of the other European languages: "5. März 2024", "5 mars 2024", "5 de marzo de 2024", "05.03.2024".
    [GeneratedRegex(@"(?<!\d)(?<d>\d{1,2})(?:\.\s*|\s+|\s+de\s+)(?<mon>\p{L}{3,10})\.?(?:\s+de|\s+del)?\s+(?<y>(?:19|20)\d{2})(?:,?\s*(?:um|à|a las|alle|om|kl\.)?\s*(?<H>\d{1,2})[:h](?<M>\d{2}))?|(?<!\d)(?<d>\d{1,2})\.(?<m>\d{1,2})\.(?<y>(?:19|20)\d{2})(?:,?\s+(?<H>\d{1,2}):(?<M>\d{2}))?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    public static partial Regex DayFirstDate();
}
