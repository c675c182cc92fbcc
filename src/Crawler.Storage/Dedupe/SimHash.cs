using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
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
        return Compute(text.AsSpan());
    }

    /// <inheritdoc cref="Compute(string)"/>
    public static ulong Compute(ReadOnlySpan<char> text)
    {
        // Most sites' text is ASCII, its own NFKC form, lowered as it is hashed: neither checked for its normalization
        // nor copied lowered (a tenth of the fingerprint's time, in the crawl benchmark). Compatibility forms (full-width
        // letters, ligatures) are rare: only then is a normalized copy made.
        var ascii = Ascii.IsValid(text);
        return ascii || text.IsNormalized(NormalizationForm.FormKC)
            ? ComputeNormalized(text, ascii)
            : ComputeNormalized(text.ToString().Normalize(NormalizationForm.FormKC), ascii: false);
    }

    private static ulong ComputeNormalized(ReadOnlySpan<char> text, bool ascii)
    {
        // Scratch space from the pool, the lowered text too: a long article's copies and token and hash arrays would
        // otherwise be most of the garbage a crawl makes, and land on the large object heap.
        var hashes = ArrayPool<ulong>.Shared.Rent(2 * text.Length + 1);
        char[]? lowered = null;
        try
        {
            int count;
            if (ascii)
            {
                count = AsciiWordHashes(text, hashes);
            }
            else
            {
                lowered = ArrayPool<char>.Shared.Rent(text.Length + 1);
                var span = lowered.AsSpan(0, text.ToLowerInvariant(lowered));
                count = Ascii.IsValid(span) ? AsciiWordHashes(span, hashes) : UnicodeHashes(span, hashes);
            }

            return Fingerprint(hashes.AsSpan(0, count));
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(hashes);
            if (lowered is not null)
            {
                ArrayPool<char>.Shared.Return(lowered);
            }
        }
    }

    /// <summary>
    /// Words and word pairs of ASCII text in one pass, most sites' text, lowered on the way (an ASCII letter or digit
    /// ORed with 0x20 is its lower case): a word's hash and its pair's (continued from the previous word's state) are
    /// two independent chains in the same loop, so the CPU runs them side by side. At most one hash per character.
    /// </summary>
    private static int AsciiWordHashes(ReadOnlySpan<char> text, ulong[] hashes)
    {
        var count = 0;
        var previous = 0UL;
        var first = true;
        var i = 0;
        while (true)
        {
            while (i < text.Length && !char.IsAsciiLetterOrDigit(text[i]))
            {
                i++;
            }

            if (i == text.Length)
            {
                return count;
            }

            var word = FnvOffset;
            var pair = (previous ^ ' ') * FnvPrime;
            for (; i < text.Length && char.IsAsciiLetterOrDigit(text[i]); i++)
            {
                var lowered = text[i] | 0x20u;
                word = (word ^ lowered) * FnvPrime;
                pair = (pair ^ lowered) * FnvPrime;
            }

            hashes[count++] = Finish(word);
            if (!first)
            {
                hashes[count++] = Finish(pair);
            }

            previous = word;
            first = false;
        }
    }

    private static int UnicodeHashes(ReadOnlySpan<char> lowered, ulong[] hashes)
    {
        var words = ArrayPool<Token>.Shared.Rent(lowered.Length + 1);
        var cjk = ArrayPool<Token>.Shared.Rent(lowered.Length + 1);
        try
        {
            var (wordCount, cjkCount) = Tokenize(lowered, words, cjk);
            var count = 0;
            if (cjkCount >= wordCount && cjkCount > 0)
            {
                // each CJK character's UTF-8 encoded once, not once for each of the four windows it is in
                var utf8 = ArrayPool<uint>.Shared.Rent(cjkCount);
                try
                {
                    for (var k = 0; k < cjkCount; k++)
                    {
                        var start = cjk[k].Start;
                        utf8[k] = Utf8Bytes(cjk[k].Length == 1 ? lowered[start] : char.ConvertToUtf32(lowered[start], lowered[start + 1]));
                    }

                    var windows = Math.Max(1, cjkCount - CjkShingle + 1);
                    for (var i = 0; i < windows; i++)
                    {
                        var state = FnvOffset;
                        for (var k = i; k < Math.Min(cjkCount, i + CjkShingle); k++)
                        {
                            state = FnvUtf8(state, utf8[k]);
                        }

                        hashes[count++] = Finish(state);
                    }
                }
                finally
                {
                    ArrayPool<uint>.Shared.Return(utf8);
                }
            }
            else if (wordCount > 0)
            {
                var previous = 0UL;
                for (var i = 0; i < wordCount; i++)
                {
                    var word = lowered.Slice(words[i].Start, words[i].Length);
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

            return count;
        }
        finally
        {
            ArrayPool<Token>.Shared.Return(words);
            ArrayPool<Token>.Shared.Return(cjk);
        }
    }

    /// <summary>
    /// The UTF-8 bytes of a CJK character, first byte lowest: three for the BMP blocks (all above U+0800), four above
    /// it; none of them is 0, which ends them.
    /// </summary>
    private static uint Utf8Bytes(int v) => v < 0x10000
        ? (uint)(0xE0 | (v >> 12)) | ((uint)(0x80 | ((v >> 6) & 0x3F)) << 8) | ((uint)(0x80 | (v & 0x3F)) << 16)
        : (uint)(0xF0 | (v >> 18)) | ((uint)(0x80 | ((v >> 12) & 0x3F)) << 8) | ((uint)(0x80 | ((v >> 6) & 0x3F)) << 16) | ((uint)(0x80 | (v & 0x3F)) << 24);

    /// <summary>FNV-1a over packed UTF-8 bytes (<see cref="Utf8Bytes"/>); no byte of a multi-byte character is 0.</summary>
    private static ulong FnvUtf8(ulong state, uint packed)
    {
        for (; packed != 0; packed >>= 8)
        {
            state = (state ^ (packed & 0xFF)) * FnvPrime;
        }

        return state;
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

        // How often each value of each of the 8 bytes occurs among the distinct hashes: 8 increments per shingle. The
        // signed count per bit is made from these 2,048 counts once at the end, not 64 additions per shingle.
        Span<int> byteCounts = stackalloc int[8 * 256];
        byteCounts.Clear();
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
                        Count(byteCounts, h);
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
                    Count(byteCounts, h);
                }
            }
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(table);
        }

        ulong fingerprint = 0;
        for (var b = 0; b < 8; b++)
        {
            // the 8 bits of byte b: +1 per set bit, -1 per clear one, for every hash with that byte value
            var weights = Vector256<int>.Zero;
            var counts = byteCounts.Slice(256 * b, 256);
            for (var v = 0; v < 256; v++)
            {
                if (counts[v] != 0)
                {
                    weights += ByteSigns[v] * counts[v];
                }
            }

            for (var bit = 0; bit < 8; bit++)
            {
                if (weights[bit] > 0)
                {
                    fingerprint |= 1UL << (8 * b + bit);
                }
            }
        }

        return fingerprint;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Count(Span<int> byteCounts, ulong h)
        {
            byteCounts[(int)(h & 0xFF)]++;
            byteCounts[256 + (int)((h >> 8) & 0xFF)]++;
            byteCounts[512 + (int)((h >> 16) & 0xFF)]++;
            byteCounts[768 + (int)((h >> 24) & 0xFF)]++;
            byteCounts[1024 + (int)((h >> 32) & 0xFF)]++;
            byteCounts[1280 + (int)((h >> 40) & 0xFF)]++;
            byteCounts[1536 + (int)((h >> 48) & 0xFF)]++;
            byteCounts[1792 + (int)(h >> 56)]++;
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
    private static (int Words, int Cjk) Tokenize(ReadOnlySpan<char> lowered, Token[] words, Token[] cjk)
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

            Rune.DecodeFromUtf16(lowered[i..], out var rune, out var used);
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

    private const ulong FnvPrime = 1099511628211UL;

    /// <summary>FNV-1a over the UTF-8 bytes of <paramref name="chars"/>, continuing from <paramref name="state"/>.</summary>
    private static ulong Fnv(ulong state, ReadOnlySpan<char> chars)
    {
        if (System.Text.Ascii.IsValid(chars))
        {
            // an ASCII char is its own UTF-8 byte
            foreach (var c in chars)
            {
                state = (state ^ c) * FnvPrime;
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
                state = (state ^ b) * FnvPrime;
            }

            chars = chars[take..];
        }

        return state;
    }

    /// <summary>The splitmix64 finalizer: every output bit depends on every input bit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
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
