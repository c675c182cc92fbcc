using System.Text.Json;

namespace Crawler.Extraction;

/// <summary>The article fields a page states about itself in schema.org JSON-LD; evidence, not truth.</summary>
internal sealed class JsonLdInfo
{
    private static readonly JsonDocumentOptions Lenient = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64 };

    public string? Headline { get; private set; }
    public string? DatePublished { get; private set; }
    public string? Author { get; private set; }
    public bool AuthorIsPerson { get; private set; }
    public string? Publisher { get; private set; }
    public string? ArticleBody { get; private set; }
    public string? Section { get; private set; }
    public List<string> Keywords { get; } = [];
    public string? Image { get; private set; }

    public static JsonLdInfo Parse(IEnumerable<string> scripts)
    {
        var info = new JsonLdInfo();
        foreach (var raw in scripts)
        {
            var json = Text.Decode(raw).Trim();
            if (json.StartsWith("<!--", StringComparison.Ordinal))
            {
                json = json[4..].Replace("-->", "", StringComparison.Ordinal);
            }

            try
            {
                using var doc = JsonDocument.Parse(json, Lenient);
                info.Visit(doc.RootElement, 0);
            }
            catch (JsonException)
            {
                // Broken JSON-LD is common (unescaped quotes in articleBody); the page text still has it all.
            }
        }

        return info;
    }

    private void Visit(JsonElement e, int depth)
    {
        if (depth > 8)
        {
            return;
        }

        if (e.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in e.EnumerateArray())
            {
                Visit(item, depth + 1);
            }

            return;
        }

        if (e.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        if (e.TryGetProperty("@graph", out var graph))
        {
            Visit(graph, depth + 1);
        }

        var type = e.TryGetProperty("@type", out var t) ? t.ToString() : "";
        var isArticle = type.Contains("Article", StringComparison.OrdinalIgnoreCase) || type.Contains("BlogPosting", StringComparison.OrdinalIgnoreCase)
            || type.Contains("Report", StringComparison.OrdinalIgnoreCase) || type.Contains("LiveBlogPosting", StringComparison.OrdinalIgnoreCase);
        if (!isArticle && !e.TryGetProperty("datePublished", out _))
        {
            return;
        }

        Headline ??= Str(e, "headline") ?? (isArticle ? Str(e, "name") : null);
        DatePublished ??= Str(e, "datePublished") ?? Str(e, "dateCreated");
        if (Author is null && e.TryGetProperty("author", out var author))
        {
            (Author, AuthorIsPerson) = Names(author);
        }

        if (Publisher is null && e.TryGetProperty("publisher", out var pub))
        {
            Publisher = Names(pub).Name;
        }

        if (isArticle)
        {
            ArticleBody ??= Str(e, "articleBody");
            Section ??= e.TryGetProperty("articleSection", out var sec) ? (sec.ValueKind == JsonValueKind.Array ? sec.EnumerateArray().Select(x => x.ToString()).FirstOrDefault() : sec.ToString()) : null;
            if (Keywords.Count == 0 && e.TryGetProperty("keywords", out var kw))
            {
                if (kw.ValueKind == JsonValueKind.Array)
                {
                    Keywords.AddRange(kw.EnumerateArray().Select(x => Text.Normalize(x.ToString())).Where(x => x.Length > 0));
                }
                else if (kw.ValueKind == JsonValueKind.String)
                {
                    Keywords.AddRange(ArticleExtractor.SplitKeywords(kw.GetString()));
                }
            }

            if (Image is null && e.TryGetProperty("image", out var img))
            {
                Image = Url(img);
            }
        }
    }

    private static string? Url(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Array => e.EnumerateArray().Select(Url).FirstOrDefault(x => x is not null),
        JsonValueKind.Object => Str(e, "url") ?? Str(e, "contentUrl"),
        _ => null,
    };

    private static (string? Name, bool Person) Names(JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                return (Nullify(Text.Normalize(e.GetString())), true);
            case JsonValueKind.Object:
                var type = e.TryGetProperty("@type", out var t) ? t.ToString() : "Person";
                return (Str(e, "name"), !type.Contains("Organization", StringComparison.OrdinalIgnoreCase));
            case JsonValueKind.Array:
                var parts = e.EnumerateArray().Select(Names).Where(x => x.Name is not null).ToList();
                return parts.Count == 0 ? (null, false) : (string.Join(", ", parts.Select(p => p.Name)), parts.Any(p => p.Person));
            default:
                return (null, false);
        }
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? Nullify(Text.Normalize(v.GetString())) : null;

    private static string? Nullify(string s) => s.Length == 0 ? null : s;
}
