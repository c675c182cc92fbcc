using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Crawler.Extraction.Tests;

/// <summary>
/// Guards the quality reached on the Chinese development set, with the scorer's metrics: for the body, token 4-gram
/// shingles, each CJK character a token, per-page multiset P/R normalised, macro-averaged, F1 of the means; for date
/// and author, exact accuracy over the pages that label them.
/// </summary>
public partial class DevSetRegressionTests(ITestOutputHelper output)
{
    // The levels reached when these were written, minus a small margin for harmless churn
    // (body F1 0.968, date 28/31, author 26/27: one page of either field may change without failing).
    private const double MinimumF1 = 0.963;
    private const double MinimumDateAccuracy = 0.87;
    private const double MinimumAuthorAccuracy = 0.92;

    [GeneratedRegex(@"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\W\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")]
    private static partial Regex Token();

    [Fact]
    public void Body_date_and_author_on_chinese_dev_set_do_not_regress()
    {
        var dir = FindDevSet();
        if (dir is null)
        {
            output.WriteLine("zh-extraction-dev not found next to the repository; skipping.");
            return;
        }

        using var gt = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "ground-truth.json")));
        var extractor = new ArticleExtractor(new ExtractionOptions { DefaultTimeZone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai") });
        var precisions = new List<double>();
        var recalls = new List<double>();
        int dates = 0, datesRight = 0, authors = 0, authorsRight = 0;
        foreach (var page in gt.RootElement.EnumerateObject())
        {
            var path = Path.Combine(dir, "html", page.Name + ".html");
            var truth = page.Value.TryGetProperty("articleBody", out var b) ? b.GetString() ?? "" : "";
            var article = File.Exists(path) ? extractor.Extract(File.ReadAllBytes(path), null, new Uri("http://example.com/")) : new ExtractedArticle();
            var predicted = article.Body;
            if (Label(page.Value, "date") is { } date && DateParts(date) is { } want)
            {
                dates++;
                var got = DateParts(article.PublishedAt?.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) ?? article.PublishedText);
                datesRight += got is not null && got.Take(want.Length).SequenceEqual(want) && got.Length >= want.Length ? 1 : 0;
            }

            if (Label(page.Value, "author") is { } author)
            {
                authors++;
                authorsRight += Spaceless(author) == Spaceless(article.Author ?? "") ? 1 : 0;
            }

            var (tp, fp, fn) = Shingles(truth, predicted);
            if (tp + fp > 0)
            {
                precisions.Add(fp == 0 && fn == 0 ? 1 : tp / (tp + fp));
            }

            if (tp + fn > 0)
            {
                recalls.Add(fp == 0 && fn == 0 ? 1 : tp / (tp + fn));
            }
        }

        double p = precisions.DefaultIfEmpty(0).Average(), r = recalls.DefaultIfEmpty(0).Average();
        var f1 = p + r > 0 ? 2 * p * r / (p + r) : 0;
        double dateAccuracy = dates == 0 ? 1 : (double)datesRight / dates, authorAccuracy = authors == 0 ? 1 : (double)authorsRight / authors;
        output.WriteLine($"pages {precisions.Count}  P {p:F3}  R {r:F3}  F1 {f1:F3}  date {datesRight}/{dates}  author {authorsRight}/{authors}");
        Assert.True(f1 >= MinimumF1, $"body F1 {f1:F3} fell below {MinimumF1:F3}");
        Assert.True(dateAccuracy >= MinimumDateAccuracy, $"date accuracy {dateAccuracy:F3} fell below {MinimumDateAccuracy:F3}");
        Assert.True(authorAccuracy >= MinimumAuthorAccuracy, $"author accuracy {authorAccuracy:F3} fell below {MinimumAuthorAccuracy:F3}");
    }

    /// <summary>A labelled field; "UNKNOWN" marks a page that names none, so it is not scored.</summary>
    private static string? Label(JsonElement page, string field) =>
        page.TryGetProperty(field, out var v) && v.GetString() is { } s && s.Trim().Length > 0 && !s.StartsWith("UNK", StringComparison.Ordinal) ? s : null;

    /// <summary>Year, month, day as the scorer compares them: the parts the label gives, from a year after 1900.</summary>
    private static int[]? DateParts(string? s)
    {
        var nums = Digits().Matches(s ?? "").Select(m => int.Parse(m.Value, System.Globalization.CultureInfo.InvariantCulture)).Take(3).ToArray();
        return nums.Length > 0 && nums[0] > 1900 ? nums : null;
    }

    private static string Spaceless(string s) => string.Concat(s.Where(c => !char.IsWhiteSpace(c)));

    [GeneratedRegex(@"\d+")]
    private static partial Regex Digits();

    private static (double Tp, double Fp, double Fn) Shingles(string truth, string predicted)
    {
        var t = Grams(truth);
        var p = Grams(predicted);
        double tp = 0, fp = 0, fn = 0;
        foreach (var key in t.Keys.Union(p.Keys))
        {
            int tc = t.GetValueOrDefault(key), pc = p.GetValueOrDefault(key);
            tp += Math.Min(tc, pc);
            fp += Math.Max(0, pc - tc);
            fn += Math.Max(0, tc - pc);
        }

        var sum = tp + fp + fn;
        return sum > 0 ? (tp / sum, fp / sum, fn / sum) : (0, 0, 0);
    }

    private static Dictionary<string, int> Grams(string text)
    {
        var tokens = Token().Matches(text).Select(m => m.Value).ToList();
        var grams = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Math.Max(1, tokens.Count - 3); i++)
        {
            var gram = string.Join('\u0001', tokens.Skip(i).Take(4));
            if (gram.Length > 0)
            {
                grams[gram] = grams.GetValueOrDefault(gram) + 1;
            }
        }

        return grams;
    }

    private static string? FindDevSet()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            var candidate = Path.Combine(d.FullName, "shared", "data", "zh-extraction-dev");
            if (File.Exists(Path.Combine(candidate, "ground-truth.json")))
            {
                return candidate;
            }
        }

        return null;
    }
}
