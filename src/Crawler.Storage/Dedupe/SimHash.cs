using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Text;

namespace Crawler.Storage.Dedupe;

/// <summary>
/// 64-bit SimHash (Charikar) of a text's shingles: texts that share most shingles get fingerprints a few bits
/// apart, so "the same story with a corrected figure" or "the same wire story on another site" is found by Hamming
/// distance. Shingles are 4-character runs for CJK text (no spaces between words) and, otherwise, single words
/// plus word pairs: measured on 60 ~130-word stories with one figure changed, 3-word shingles alone moved the
/// fingerprint past 3 bits in 32 of them, 2-word shingles alone in 23, single words in none (mean 0.6 bits); but
/// single words alone made every page of a site written in one small vocabulary (bench/sitegen.py) a near duplicate
/// of every other. Words and pairs together keep both properties.
/// Deterministic across processes and machines: the fingerprint is stored, so it must never depend on
/// string.GetHashCode's per-process seed.
/// </summary>
public static class SimHash
{
    /// <summary>At most this many differing bits counts as a near duplicate; 4 bands of 16 bits find all of them.</summary>
    public const int MaxDistance = 3;

    public const int WordShingle = 1;
    public const int CjkShingle = 4;

    /// <summary>
    /// The fingerprint of <see cref="Shingles"/>, computed without building the shingle strings: each shingle's hash
    /// is FNV-1a over its UTF-8 bytes, continued across the words of a pair, so it equals the hash of the string.
    /// </summary>
    public static ulong Compute(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lowered = Lower(text);
        // Scratch space from the pool: a long article's token and hash arrays would otherwise land on the large
        // object heap, and a crawl computing thousands of them per minute would spend its time in gen-2 collections.
        var words = ArrayPool<Token>.Shared.Rent(lowered.Length + 1);
        var cjk = ArrayPool<Token>.Shared.Rent(lowered.Length + 1);
        var hashes = ArrayPool<ulong>.Shared.Rent(2 * lowered.Length + 1);
        try
        {
            var (wordCount, cjkCount) = Tokenize(lowered, words, cjk);
            var count = 0;
            if (cjkCount >= wordCount && cjkCount > 0)
            {
                var windows = Math.Max(1, cjkCount - CjkShingle + 1);
                for (var i = 0; i < windows; i++)
                {
                    var state = FnvOffset;
                    for (var k = i; k < Math.Min(cjkCount, i + CjkShingle); k++)
                    {
                        state = Fnv(state, lowered.AsSpan(cjk[k].Start, cjk[k].Length));
                    }

                    hashes[count++] = Finish(state);
                }
            }
            else if (wordCount > 0)
            {
                var previous = 0UL;
                for (var i = 0; i < wordCount; i++)
                {
                    var word = lowered.AsSpan(words[i].Start, words[i].Length);
                    var state = Fnv(FnvOffset, word);
                    hashes[count++] = Finish(state);
                    if (i > 0)
                    {
                        // the pair "previous word" + " " + "word", continued from the previous word's state
                        hashes[count++] = Finish(Fnv(Fnv(previous, " "), word));
                    }

                    previous = state;
                }
            }

            return Fingerprint(hashes.AsSpan(0, count));
        }
        finally
        {
            ArrayPool<Token>.Shared.Return(words);
            ArrayPool<Token>.Shared.Return(cjk);
            ArrayPool<ulong>.Shared.Return(hashes);
        }
    }

    /// <summary>
    /// Each distinct shingle counts once: counted by occurrence, the commonest words ("the", "said") outweigh
    /// everything else and every long article in one language gets nearly the same fingerprint.
    /// </summary>
    private static ulong Fingerprint(Span<ulong> hashes)
    {
        if (hashes.IsEmpty)
        {
            return 0;
        }

        // One signed count per bit, kept as 8 vectors of 8 counts: a shingle adds one precomputed ±1 vector per byte.
        Span<Vector256<int>> weights = stackalloc Vector256<int>[8];
        weights.Clear();
        // Distinct through an open-addressing set of the (already well mixed) hashes: sorting them first took three
        // quarters of the fingerprint's time on a 4,000-word article. 0 marks a free slot, so a hash of 0 is kept aside.
        var capacity = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, 2 * hashes.Length));
        var table = ArrayPool<ulong>.Shared.Rent(capacity);
        try
        {
            Array.Clear(table, 0, capacity);
            var mask = capacity - 1;
            var sawZero = false;
            foreach (var h in hashes)
            {
                if (h == 0)
                {
                    if (!sawZero)
                    {
                        sawZero = true;
                        Add(weights, h);
                    }

                    continue;
                }

                var slot = (int)(h & (ulong)mask);
                while (table[slot] != 0 && table[slot] != h)
                {
                    slot = (slot + 1) & mask;
                }

                if (table[slot] == 0)
                {
                    table[slot] = h;
                    Add(weights, h);
                }
            }
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(table);
        }

        ulong fingerprint = 0;
        for (var bit = 0; bit < 64; bit++)
        {
            if (weights[bit / 8][bit % 8] > 0)
            {
                fingerprint |= 1UL << bit;
            }
        }

        return fingerprint;

        static void Add(Span<Vector256<int>> weights, ulong h)
        {
            for (var b = 0; b < 8; b++)
            {
                weights[b] += ByteSigns[(int)((h >> (8 * b)) & 0xFF)];
            }
        }
    }

    /// <summary>For each byte value, +1 for each set bit and -1 for each clear one, lowest bit first.</summary>
    private static readonly Vector256<int>[] ByteSigns = Enumerable.Range(0, 256)
        .Select(v => Vector256.Create(Enumerable.Range(0, 8).Select(bit => ((v >> bit) & 1) * 2 - 1).ToArray()))
        .ToArray();

    public static int Distance(ulong a, ulong b) => BitOperations.PopCount(a ^ b);

    /// <summary>
    /// The SQL that lists band candidates as (id, simhash) rows: one index-only lookup per band. Parameters are the
    /// four bands, named with <paramref name="prefix"/> (<c>$</c> for SQLite, <c>@</c> for PostgreSQL).
    /// </summary>
    public static string CandidateQuery(char prefix) => string.Join(
        " UNION ",
        Enumerable.Range(0, 4).Select(b => $"SELECT id, simhash FROM snapshots WHERE band{b} = {prefix}band{b}"));

    /// <summary>Candidates within <see cref="MaxDistance"/> bits of <paramref name="fingerprint"/>, nearest (then oldest) first.</summary>
    public static IEnumerable<(long Id, int Distance)> Nearest(IEnumerable<(long Id, long Stored)> candidates, ulong fingerprint) =>
        candidates
            .Select(c => (c.Id, Distance: Distance(unchecked((ulong)c.Stored), fingerprint)))
            .Where(c => c.Distance <= MaxDistance)
            .OrderBy(c => c.Distance).ThenBy(c => c.Id);

    /// <summary>
    /// The four 16-bit bands. Pigeonhole: two fingerprints at most 3 bits apart have at least one band equal, so a
    /// lookup by band equality (four indexed columns) finds every candidate without a scan.
    /// </summary>
    public static int[] Bands(ulong fingerprint) =>
        [(int)(fingerprint & 0xFFFF), (int)((fingerprint >> 16) & 0xFFFF), (int)((fingerprint >> 32) & 0xFFFF), (int)(fingerprint >> 48)];

    /// <summary>
    /// Lower-cased (NFKC), punctuation dropped. A text with at least as many CJK characters as words: runs of
    /// <see cref="CjkShingle"/> CJK characters, its Latin words (names, figures) ignored. Otherwise its words, then
    /// its word pairs.
    /// </summary>
    public static IEnumerable<string> Shingles(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lowered = Lower(text);
        var words = new Token[lowered.Length + 1];
        var cjk = new Token[lowered.Length + 1];
        var (wordCount, cjkCount) = Tokenize(lowered, words, cjk);
        if (cjkCount >= wordCount && cjkCount > 0)
        {
            return Windows(cjk.Take(cjkCount).Select(t => lowered.Substring(t.Start, t.Length)).ToList(), CjkShingle, "");
        }

        var tokens = words.Take(wordCount).Select(t => lowered.Substring(t.Start, t.Length)).ToList();
        return Windows(tokens, WordShingle, " ").Concat(Windows(tokens, 2, " "));
    }

    private readonly record struct Token(int Start, int Length);

    private static string Lower(string text) =>
        (text.IsNormalized(NormalizationForm.FormKC) ? text : text.Normalize(NormalizationForm.FormKC)).ToLowerInvariant();

    /// <summary>
    /// Words (runs of letters and digits) and CJK characters, as ranges of the lowered text, into buffers at least
    /// one longer than the text.
    /// </summary>
    private static (int Words, int Cjk) Tokenize(string lowered, Token[] words, Token[] cjk)
    {
        var wordCount = 0;
        var cjkCount = 0;
        var wordStart = -1;
        var i = 0;
        while (i < lowered.Length)
        {
            var c = lowered[i];
            if (char.IsAscii(c))
            {
                // most text of most sites: no rune decoding, no Unicode tables
                if (char.IsAsciiLetterOrDigit(c))
                {
                    wordStart = wordStart < 0 ? i : wordStart;
                }
                else
                {
                    Flush(i);
                }

                i++;
                continue;
            }

            Rune.DecodeFromUtf16(lowered.AsSpan(i), out var rune, out var used);
            if (IsCjk(rune))
            {
                Flush(i);
                cjk[cjkCount++] = new Token(i, used);
            }
            else if (Rune.IsLetterOrDigit(rune))
            {
                wordStart = wordStart < 0 ? i : wordStart;
            }
            else
            {
                Flush(i);
            }

            i += used;
        }

        Flush(i);
        return (wordCount, cjkCount);

        void Flush(int end)
        {
            if (wordStart >= 0)
            {
                words[wordCount++] = new Token(wordStart, end - wordStart);
                wordStart = -1;
            }
        }
    }

    private static IEnumerable<string> Windows(List<string> tokens, int size, string separator)
    {
        if (tokens.Count <= size)
        {
            return tokens.Count == 0 ? [] : [string.Join(separator, tokens)];
        }

        return Enumerable.Range(0, tokens.Count - size + 1).Select(i => string.Join(separator, tokens.GetRange(i, size)));
    }

    private static bool IsCjk(Rune r) => r.Value is (>= 0x3040 and <= 0x30FF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x4E00 and <= 0x9FFF)
        or (>= 0xF900 and <= 0xFAFF) or (>= 0x20000 and <= 0x2FA1F) or (>= 0xAC00 and <= 0xD7AF);

    private const ulong FnvOffset = 14695981039346656037UL;

    /// <summary>FNV-1a over the UTF-8 bytes of <paramref name="chars"/>, continuing from <paramref name="state"/>.</summary>
    private static ulong Fnv(ulong state, ReadOnlySpan<char> chars)
    {
        if (System.Text.Ascii.IsValid(chars))
        {
            // an ASCII char is its own UTF-8 byte
            foreach (var c in chars)
            {
                state = (state ^ c) * 1099511628211UL;
            }

            return state;
        }

        Span<byte> utf8 = stackalloc byte[256];
        while (!chars.IsEmpty)
        {
            // whole runes per chunk, so a surrogate pair is never split between two encodings
            var take = Math.Min(chars.Length, 64);
            if (take < chars.Length && char.IsHighSurrogate(chars[take - 1]))
            {
                take--;
            }

            var n = Encoding.UTF8.GetBytes(chars[..take], utf8);
            foreach (var b in utf8[..n])
            {
                state = (state ^ b) * 1099511628211UL;
            }

            chars = chars[take..];
        }

        return state;
    }

    /// <summary>The splitmix64 finalizer: every output bit depends on every input bit.</summary>
    private static ulong Finish(ulong h)
    {
        h ^= h >> 30;
        h *= 0xBF58476D1CE4E5B9UL;
        h ^= h >> 27;
        h *= 0x94D049BB133111EBUL;
        h ^= h >> 31;
        return h;
    }
}

/// <summary>A stored snapshot whose fingerprint is within <see cref="SimHash.MaxDistance"/> bits of another's.</summary>
public sealed record NearDuplicate(long SnapshotId, string CanonicalUrl, int Distance, string ContentHash);
