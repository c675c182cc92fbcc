using BenchmarkDotNet.Attributes;
using Crawler.Worker.Frontier;

namespace Crawler.Benchmarks;

/// <summary>URL canonicalization, run for every link of every fetched page before the frontier sees it.</summary>
[MemoryDiagnoser]
public class CanonicalizationBenchmarks
{
    private static readonly Uri Base = new("https://News.Example.com/world/2024/03/index.html");

    private static readonly string[] Links =
    [
        "https://news.example.com/world/2024/03/12/story.html?utm_source=feed&utm_medium=rss&id=42#comments",
        "/world/2024/03/12/../13/other-story.html",
        "HTTP://NEWS.EXAMPLE.COM:80/a/b/?b=2&a=1",
        "story-three.html?fbclid=abc123&page=2",
        "//cdn.example.com/img/photo.jpg",
        "https://news.example.com/%7Euser/path%2fwith%2Fescapes?q=%e4%b8%ad%e6%96%87",
        "https://例子.测试/新闻/一.html",
        "javascript:void(0)",
    ];

    /// <summary>Eight typical links per operation, relative and absolute, with tracking parameters and fragments.</summary>
    [Benchmark(Description = "canonicalize 8 typical links")]
    public int CanonicalizeLinks()
    {
        var n = 0;
        foreach (var link in Links)
        {
            n += UrlCanonicalizer.CanonicalString(link, Base)?.Length ?? 0;
        }

        return n;
    }
}
