using Crawler.Storage.Dedupe;

namespace Crawler.Storage.Tests;

public sealed class SimHashTests
{
    private const string Story =
        "The harbour authority said on Tuesday that cargo handled in the third quarter rose to a record, driven by container traffic " +
        "and a recovery in bulk shipments of grain. Officials credited the new deep-water berth, opened in the spring, for much of the " +
        "increase, and said ships now wait an average of five hours less before unloading. Port workers' representatives welcomed the " +
        "figures but warned that staffing had not kept pace with the volumes, and asked for talks on shift patterns before the winter. " +
        "Analysts cautioned that the quarter included one-off shipments delayed from earlier in the year, and that growth of 4.5 percent " +
        "could not be expected to continue unchanged. The authority will publish its full annual report in March.";

    private const string Chinese =
        "港务局周二表示,第三季度港口货物吞吐量创历史新高,集装箱运输和粮食散货运输的恢复是主要推动力。官员们说,春季启用的新深水泊位贡献了大部分增长," +
        "船舶卸货前的平均等待时间缩短了五个小时。港口工人代表对这些数字表示欢迎,但警告说人员配置没有跟上吞吐量的增长,并要求在冬季来临之前就轮班安排进行谈判。" +
        "分析人士提醒说,本季度包括一些从年初推迟的一次性货运,百分之四点五的增长不可能一成不变地持续下去。";

    [Fact]
    public void The_same_text_with_other_spacing_case_and_punctuation_has_the_same_fingerprint()
    {
        Assert.Equal(SimHash.Compute(Story), SimHash.Compute("  " + Story.ToUpperInvariant().Replace(",", " ,", StringComparison.Ordinal) + "\n"));
        Assert.NotEqual(0UL, SimHash.Compute(Story));
    }

    [Fact]
    public void A_small_edit_stays_within_three_bits_and_a_different_story_does_not()
    {
        var edited = Story.Replace("in March.", "in February.", StringComparison.Ordinal);
        Assert.InRange(SimHash.Distance(SimHash.Compute(Story), SimHash.Compute(edited)), 0, SimHash.MaxDistance);
        var other = "The city council approved the budget for next year after a long debate about school funding, road repairs and " +
            "the cost of the new library, which opponents said had doubled since the plan was first presented to residents in 2024.";
        Assert.True(SimHash.Distance(SimHash.Compute(Story), SimHash.Compute(other)) > 10);
    }

    [Fact]
    public void Chinese_text_is_shingled_by_four_characters_and_a_small_edit_stays_near()
    {
        var shingles = SimHash.Shingles("港务局周二表示").ToList();
        Assert.Equal(["港务局周", "务局周二", "局周二表", "周二表示"], shingles);
        var edited = Chinese.Replace("五个小时", "六个小时", StringComparison.Ordinal);
        Assert.InRange(SimHash.Distance(SimHash.Compute(Chinese), SimHash.Compute(edited)), 0, SimHash.MaxDistance);
        Assert.True(SimHash.Distance(SimHash.Compute(Chinese), SimHash.Compute(Story)) > 10);
    }

    [Fact]
    public void English_is_shingled_by_words_and_word_pairs_and_fingerprints_are_stable_across_processes()
    {
        Assert.Equal(["the", "harbour", "authority", "said", "the harbour", "harbour authority", "authority said"], SimHash.Shingles("The harbour, authority said!"));
        // stored fingerprints must not change between runs, machines or versions: fixed values pin the hash
        Assert.Equal(SimHash.Compute("The harbour authority said"), SimHash.Compute("the HARBOUR authority said"));
        Assert.Equal(1736568763344429061UL, SimHash.Compute("The harbour authority said the ferry would run again on Monday, weather permitting."));
        Assert.Equal(9351081941162809822UL, SimHash.Compute("新华社北京9月20日电，今年春天，县里的三所小学开始试行课后托管服务。"));
        Assert.Equal([0xCDEF, 0x89AB, 0x4567, 0x0123], SimHash.Bands(0x0123_4567_89AB_CDEF));
    }

    [Fact]
    public void Different_stories_told_with_the_same_words_are_not_near_duplicates()
    {
        // one vocabulary, common words far more frequent than rare ones (as in any language), shuffled into different
        // texts: as alike as two long reports of one beat can get without being the same story
        var words = "the of and to in said harbour authority cargo volume quarter record container traffic bulk grain shipments berth deep water officials rose fell port workers union season".Split(' ');
        string Story(int seed)
        {
            var rng = new Random(seed);
            return string.Join(' ', Enumerable.Range(0, 1500).Select(_ => words[(int)(words.Length * Math.Pow(rng.NextDouble(), 3))]));
        }

        Assert.True(SimHash.Distance(SimHash.Compute(Story(1)), SimHash.Compute(Story(2))) > SimHash.MaxDistance);
    }

    [Fact]
    public void A_corrected_figure_in_a_long_story_stays_within_the_near_duplicate_distance()
    {
        string Story(string figure) => string.Join(' ', Enumerable.Range(0, 800).Select(i => i == 400 ? figure : $"w{new Random(i).Next(600)}"));
        var (story, corrected) = (Story("17.5"), Story("18.5"));
        Assert.InRange(SimHash.Distance(SimHash.Compute(story), SimHash.Compute(corrected)), 0, SimHash.MaxDistance);
    }

    [Theory]
    [InlineData("The harbour authority said the ferry would run again on Monday, weather permitting.")]
    [InlineData("Le maire a déclaré que la bibliothèque resterait ouverte jusqu'à vingt et une heures. Ça coûte 4,5 % de plus.")]
    [InlineData("新华社北京9月20日电，今年春天，县里的三所小学开始试行课后托管服务。")]
    [InlineData("𠀀𠀁𠀂 港务局𪚥表示𠀃 and a few Latin words")]
    [InlineData("서울시는 화요일 도서관 운영 시간을 연장한다고 밝혔다 ひらがなとカタカナ")]
    [InlineData("one")]
    [InlineData("港务")]
    [InlineData("ＦＵＬＬ－ＷＩＤＴＨ　ｌｅｔｔｅｒｓ and the ﬁnance ligature")]
    [InlineData("")]
    public void The_fingerprint_is_the_majority_of_its_distinct_shingles_fnv_hashes(string text)
    {
        Assert.Equal(Reference(text), SimHash.Compute(text));
    }

    [Fact]
    public void The_fingerprint_of_random_text_is_the_majority_of_its_distinct_shingles_fnv_hashes()
    {
        const string alphabet = "abcXYZ019 ,.-éüß港务局周二表示서울ひカ";
        var rng = new Random(20261201);
        for (var n = 0; n < 200; n++)
        {
            var chars = Enumerable.Range(0, rng.Next(0, 400)).Select(_ => alphabet[rng.Next(alphabet.Length)]).ToList();
            if (rng.Next(4) == 0)
            {
                chars.InsertRange(rng.Next(chars.Count + 1), "𠀀𪚥");
            }

            var text = new string([.. chars]);
            Assert.Equal(Reference(text), SimHash.Compute(text));
        }
    }

    [Fact]
    public void The_fingerprint_of_long_ascii_text_in_any_case_is_the_majority_of_its_distinct_shingles_fnv_hashes()
    {
        // ASCII text is lowered as it is hashed, not copied lowered first: capitals, digits, punctuation, control
        // characters and the characters either side of the letters' ranges must come out as the definition has them
        const string alphabet = "abcxyzABCXYZ019 ,.-_@[`{\t\n\u0001\u007f";
        var rng = new Random(20261203);
        for (var n = 0; n < 100; n++)
        {
            var text = new string([.. Enumerable.Range(0, rng.Next(0, 5000)).Select(_ => alphabet[rng.Next(alphabet.Length)])]);
            Assert.Equal(Reference(text), SimHash.Compute(text));
        }
    }

    [Fact]
    public void A_fingerprint_of_part_of_a_buffer_reads_that_part_alone()
    {
        const string text = "The harbour authority said 港务局周二表示 the ferry would run again";
        var buffer = ("Ignored before " + text + " ignored after").AsSpan();

        Assert.Equal(SimHash.Compute(text), SimHash.Compute(buffer.Slice("Ignored before ".Length, text.Length)));
    }

    /// <summary>The definition, written out slowly: FNV-1a of each distinct shingle's UTF-8, finished, one vote per bit.</summary>
    private static ulong Reference(string text)
    {
        var votes = new int[64];
        foreach (var shingle in SimHash.Shingles(text).Distinct(StringComparer.Ordinal))
        {
            var h = 14695981039346656037UL;
            foreach (var b in System.Text.Encoding.UTF8.GetBytes(shingle))
            {
                h = (h ^ b) * 1099511628211UL;
            }

            h ^= h >> 30;
            h *= 0xBF58476D1CE4E5B9UL;
            h ^= h >> 27;
            h *= 0x94D049BB133111EBUL;
            h ^= h >> 31;
            for (var bit = 0; bit < 64; bit++)
            {
                votes[bit] += ((h >> bit) & 1) == 1 ? 1 : -1;
            }
        }

        var fingerprint = 0UL;
        for (var bit = 0; bit < 64; bit++)
        {
            fingerprint |= votes[bit] > 0 ? 1UL << bit : 0;
        }

        return fingerprint;
    }
}
