using System.Text;
using BenchmarkDotNet.Attributes;
using Crawler.Extraction;

namespace Crawler.Benchmarks;

/// <summary>
/// Article extraction from raw bytes (decode, parse, walk, fields), as the crawler runs it for every page.
/// The Chinese pages are the development set, read at run time when ../shared/data/zh-extraction-dev is found.
/// </summary>
[MemoryDiagnoser]
public class ExtractionBenchmarks
{
    private static readonly Uri PageUrl = new("https://news.example.com/2024/03/12/library-hours.html");
    private readonly ArticleExtractor _extractor = new(new ExtractionOptions { DefaultTimeZone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai") });
    private byte[][] _devPages = [];
    private byte[] _typical = [];
    private byte[] _largest = [];
    private byte[] _english = [];

    [GlobalSetup]
    public void Setup()
    {
        _english = Encoding.UTF8.GetBytes(SyntheticPages.English(paragraphs: 14));
        var dir = DevSet.Find();
        if (dir is null)
        {
            Console.WriteLine("zh-extraction-dev not found: the dev-set benchmarks measure nothing.");
            return;
        }

        _devPages = Directory.GetFiles(Path.Combine(dir, "html"), "*.html").Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToArray();
        var bySize = _devPages.OrderBy(p => p.Length).ToArray();
        _typical = bySize[bySize.Length / 2];
        _largest = bySize[^1];
    }

    [Benchmark(Description = "synthetic English page (~12 KB)")]
    public ExtractedArticle SyntheticEnglish() => _extractor.Extract(_english, null, PageUrl);

    [Benchmark(Description = "dev set: median-size page")]
    public ExtractedArticle? DevTypical() => _typical.Length == 0 ? null : _extractor.Extract(_typical, null, PageUrl);

    [Benchmark(Description = "dev set: largest page (400 KB)")]
    public ExtractedArticle? DevLargest() => _largest.Length == 0 ? null : _extractor.Extract(_largest, null, PageUrl);

    /// <summary>All 35 pages per operation: divide by the page count for the mean time per page.</summary>
    [Benchmark(Description = "dev set: all pages, one after another")]
    public int DevAll()
    {
        var words = 0;
        foreach (var page in _devPages)
        {
            words += _extractor.Extract(page, null, PageUrl).Blocks.Count;
        }

        return words;
    }
}

internal static class DevSet
{
    public static string? Find()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                var candidate = Path.Combine(d.FullName, "shared", "data", "zh-extraction-dev");
                if (File.Exists(Path.Combine(candidate, "ground-truth.json")))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
