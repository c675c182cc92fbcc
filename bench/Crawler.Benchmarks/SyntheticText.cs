using System.Text;

namespace Crawler.Benchmarks;

/// <summary>
/// Article text of the size and shape the crawl benchmark's site serves (bench/sitegen.py): words drawn with Zipf's
/// law from a few thousand, or Chinese sentences; deterministic, so runs compare.
/// </summary>
internal static class SyntheticText
{
    private const string Hanzi = "港务局表示第季度港口货物吞吐量创历史新高集装箱运输和粮食散货运输的恢复是主要推动力官员们说春季启用的新深水泊位贡献了大部分增长"
        + "船舶卸货前的平均等待时间缩短工人代表对这些数字表示欢迎但警告人员配置没有跟上吞吐量的增长并要求在冬季来临之前就轮班安排进行谈判";

    public static IReadOnlyList<string> EnglishParagraphs(int bytes, int seed = 7)
    {
        var rng = new Random(seed);
        var syllables = (from c in "bcdfghjklmnprstvwz" from v in "aeiou" select $"{c}{v}").ToArray();
        var vocabulary = Enumerable.Range(0, 4000)
            .Select(_ => string.Concat(Enumerable.Range(0, rng.Next(1, 5)).Select(_ => syllables[rng.Next(syllables.Length)])))
            .ToArray();
        var cumulative = new double[vocabulary.Length];
        var total = 0.0;
        for (var rank = 0; rank < vocabulary.Length; rank++)
        {
            cumulative[rank] = total += 1.0 / (rank + 1);
        }

        return Paragraphs(bytes, () =>
        {
            var words = Enumerable.Range(0, rng.Next(12, 29))
                .Select(_ => vocabulary[Math.Min(vocabulary.Length - 1, ~Array.BinarySearch(cumulative, rng.NextDouble() * total) is var i and >= 0 ? i : 0)]);
            var sentence = string.Join(' ', words);
            return char.ToUpperInvariant(sentence[0]) + sentence[1..] + ".";
        }, rng, " ");
    }

    public static IReadOnlyList<string> ChineseParagraphs(int bytes, int seed = 7)
    {
        var rng = new Random(seed);
        return Paragraphs(bytes, () => string.Concat(Enumerable.Range(0, rng.Next(30, 71)).Select(_ => Hanzi[rng.Next(Hanzi.Length)])) + "。", rng, "");
    }

    private static List<string> Paragraphs(int bytes, Func<string> sentence, Random rng, string separator)
    {
        var paragraphs = new List<string>();
        var size = 0;
        while (size < bytes)
        {
            var paragraph = string.Join(separator, Enumerable.Range(0, rng.Next(3, 7)).Select(_ => sentence()));
            paragraphs.Add(paragraph);
            size += Encoding.UTF8.GetByteCount(paragraph);
        }

        return paragraphs;
    }
}
