using BenchmarkDotNet.Attributes;
using Crawler.Storage.Dedupe;
using Crawler.Storage.Snapshots;
using Crawler.Worker.Normalization;

namespace Crawler.Benchmarks;

/// <summary>
/// The two keys computed for every snapshot: the content hash (exact dedupe) and the SimHash (near duplicates),
/// on article text of the crawl benchmark's size (about 20 KB).
/// </summary>
[MemoryDiagnoser]
public class FingerprintBenchmarks
{
    private const string Title = "Harbour report number 42: cargo and rail";
    private SnapshotBlock[] _englishBlocks = [];
    private string _english = "";
    private string _chinese = "";

    [GlobalSetup]
    public void Setup()
    {
        var english = SyntheticText.EnglishParagraphs(20_000);
        _englishBlocks = english.Select(p => new SnapshotBlock(SnapshotBlockKind.Paragraph, p)).ToArray();
        _english = string.Join('\n', english.Prepend(Title));
        _chinese = string.Join('\n', SyntheticText.ChineseParagraphs(20_000).Prepend("港口货物吞吐量报道 第42号"));
    }

    [Benchmark(Description = "content hash (SHA-256), English article ~20 KB")]
    public string ContentHash() => ContentHasher.Hash(Title, _englishBlocks);

    [Benchmark(Description = "SimHash, English article ~20 KB")]
    public ulong SimHashEnglish() => SimHash.Compute(_english);

    [Benchmark(Description = "SimHash, Chinese article ~20 KB")]
    public ulong SimHashChinese() => SimHash.Compute(_chinese);
}
