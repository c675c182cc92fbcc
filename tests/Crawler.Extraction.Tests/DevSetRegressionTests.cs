using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Crawler.Extraction.Tests;

/// <summary>
/// Guards the body quality reached on the Chinese development set, with the scorer's metric: token 4-gram
/// shingles, each CJK character a token, per-page multiset P/R normalised, macro-averaged, F1 of the means.
/// </summary>
public partial class DevSetRegressionTests(ITestOutputHelper output)
{
    // The level reached when this was written, minus a small margin for harmless churn.
    private const double MinimumF1 = 0.958;

    [GeneratedRegex(@"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\W\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")]
    private static partial Regex Token();

    [Fact]
    public void Body_f1_on_chinese_dev_set_does_not_regress()
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
        foreach (var page in gt.RootElement.EnumerateObject())
        {
            var path = Path.Combine(dir, "html", page.Name + ".html");
            var truth = page.Value.TryGetProperty("articleBody", out var b) ? b.GetString() ?? "" : "";
            var predicted = File.Exists(path) ? extractor.Extract(File.ReadAllBytes(path), null, new Uri("http://example.com/")).Body : "";
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
        output.WriteLine($"pages {precisions.Count}  P {p:F3}  R {r:F3}  F1 {f1:F3}");
        Assert.True(f1 >= MinimumF1, $"body F1 {f1:F3} fell below {MinimumF1:F3}");
    }

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
