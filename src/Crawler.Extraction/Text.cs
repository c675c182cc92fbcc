using System.Buffers;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;

namespace Crawler.Extraction;

/// <summary>Text primitives shared by every field, so all of them normalize the same way.</summary>
internal static class Text
{
    // The scans below run over every text node of every page. Each starts with a vectorized search that settles the
    // common case (ASCII, or no CJK at all) without looking at characters one by one; the loops after it are exact.
    private static readonly SearchValues<char> PunctuationMarks = SearchValues.Create("，。！？；、,;!?”\".");

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsCjk(char c) =>
        c >= '\u3040' && c is (>= '\u3040' and <= '\u30FF') or (>= '\u3400' and <= '\u4DBF') or (>= '\u4E00' and <= '\u9FFF')
            or (>= '\uF900' and <= '\uFAFF') or (>= '\uAC00' and <= '\uD7AF');

    /// <summary>Visible characters with CJK counted double: a Chinese character carries about as much as two Latin letters.</summary>
    public static int Weight(ReadOnlySpan<char> s)
    {
        if (!s.ContainsAnyExceptInRange('\0', '\u007F') && !s.ContainsAnyInRange('\t', '\r'))
        {
            // ASCII without tabs or line breaks: everything but the spaces weighs one
            return s.Length - s.Count(' ');
        }

        var w = 0;
        foreach (var c in s)
        {
            if (IsCjk(c))
            {
                w += 2;
            }
            else if (!char.IsWhiteSpace(c) && !IsInvisible(c))
            {
                w++;
            }
        }

        return w;
    }

    public static int CjkCount(ReadOnlySpan<char> s)
    {
        if (!s.ContainsAnyInRange('\u3040', '\uFAFF'))
        {
            return 0;
        }

        var n = 0;
        foreach (var c in s)
        {
            if (IsCjk(c))
            {
                n++;
            }
        }

        return n;
    }

    /// <summary>Characters that do not occur in real prose: replacement characters, private use, unassigned.</summary>
    public static int GarbledCount(ReadOnlySpan<char> s)
    {
        if (!s.ContainsAnyExceptInRange('\0', '\u007F'))
        {
            return 0;
        }

        var n = 0;
        foreach (var c in s)
        {
            if (c == '\uFFFD' || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.PrivateUse or System.Globalization.UnicodeCategory.OtherNotAssigned)
            {
                n++;
            }
        }

        return n;
    }

    /// <summary>Sentence punctuation: the strongest cheap signal that a block is prose and not a menu.</summary>
    public static int Punctuation(ReadOnlySpan<char> s)
    {
        var n = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var next = s[i..].IndexOfAny(PunctuationMarks);
            if (next < 0)
            {
                break;
            }

            i += next;
            switch (s[i])
            {
                case '，' or '。' or '！' or '？' or '；' or '、' or ',' or ';' or '!' or '?' or '”' or '"':
                    n++;
                    break;
                case '.' when i + 1 == s.Length || s[i + 1] == ' ':
                    n++;
                    break;
            }
        }

        return n;
    }

    public static bool EndsSentence(string s) =>
        s.Length > 0 && s[^1] is '。' or '！' or '？' or '.' or '!' or '?' or '”' or '"' or '）' or ')' or '…';

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsInvisible(char c) => c is '\u200B' or '\u200C' or '\u200D' or '\uFEFF' or '\u00AD' or '\u2060';

    public static string Decode(string raw) => raw.Contains('&') ? WebUtility.HtmlDecode(raw) : raw;

    /// <summary>NFC, no zero-width or control characters, whitespace (incl. nbsp and U+3000) collapsed, trimmed.</summary>
    public static string Normalize(string? s, bool decodeEntities = true)
    {
        if (string.IsNullOrEmpty(s))
        {
            return string.Empty;
        }

        if (decodeEntities)
        {
            s = Decode(s);
        }

        // Most text nodes are clean already; returning them as they are saves a copy per node on large pages.
        return IsClean(s) ? Nfc(s) : Collapse(s);
    }

    /// <inheritdoc cref="Normalize(string?, bool)"/>
    /// <remarks>Entities are not decoded. The one string made is the result.</remarks>
    public static string Normalize(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty)
        {
            return string.Empty;
        }

        return IsClean(s) ? Nfc(new string(s)) : Collapse(s);
    }

    private static string Nfc(string s) => IsSurelyNfc(s) || s.IsNormalized(NormalizationForm.FormC) ? s : s.Normalize(NormalizationForm.FormC);

    private static string Collapse(ReadOnlySpan<char> s)
    {
        // the result is never longer than the input
        var buffer = ArrayPool<char>.Shared.Rent(s.Length);
        try
        {
            var n = 0;
            var pendingSpace = false;
            foreach (var c in s)
            {
                if (IsInvisible(c))
                {
                    continue;
                }

                if (char.IsWhiteSpace(c))
                {
                    pendingSpace = n > 0;
                    continue;
                }

                if (char.IsControl(c) || char.IsSurrogate(c) && !char.IsHighSurrogate(c) && !char.IsLowSurrogate(c))
                {
                    continue;
                }

                if (pendingSpace)
                {
                    buffer[n++] = ' ';
                    pendingSpace = false;
                }

                buffer[n++] = c;
            }

            return Nfc(new string(buffer, 0, n));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    /// <summary>True when Normalize would change nothing but (maybe) the normalization form.</summary>
    private static bool IsClean(ReadOnlySpan<char> s)
    {
        if (s[0] == ' ' || s[^1] == ' ')
        {
            return false;
        }

        if (!s.ContainsAnyExceptInRange(' ', '~'))
        {
            // printable ASCII: clean unless two spaces meet
            return !s.Contains("  ", StringComparison.Ordinal);
        }

        var prevSpace = false;
        foreach (var c in s)
        {
            if (c == ' ')
            {
                if (prevSpace)
                {
                    return false;
                }

                prevSpace = true;
                continue;
            }

            prevSpace = false;
            if (c < '\u0021' || (c >= '\u007F' && c <= '\u00A0') || (c > '\u00A0' && (char.IsWhiteSpace(c) || IsInvisible(c) || char.IsControl(c) || char.IsSurrogate(c))))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Latin up to the combining marks, general punctuation, kana, CJK ideographs, Hangul syllables and full-width
    /// forms cannot change under NFC (no combining marks, no singletons), so the ICU check, costly on every block of
    /// a large page, is only needed outside them.
    /// </summary>
    private static bool IsSurelyNfc(string s)
    {
        if (!s.AsSpan().ContainsAnyExceptInRange('\0', '\u02FF'))
        {
            return true;
        }

        foreach (var c in s)
        {
            if (c < '\u0300' || c is (>= '\u2010' and <= '\u2027') or (>= '\u2030' and <= '\u205E') or (>= '\u3000' and <= '\u3029')
                    or (>= '\u3030' and <= '\u3098') or (>= '\u309B' and <= '\u30FF') or (>= '\u4E00' and <= '\u9FFF')
                    or (>= '\uAC00' and <= '\uD7A3') or (>= '\uFF01' and <= '\uFFEE'))
            {
                continue;
            }

            return false;
        }

        return true;
    }

    /// <summary>Each ASCII character's part of a <see cref="Key"/>: itself lower-cased if a letter or digit, else 0.</summary>
    private static readonly char[] AsciiKeyChars = Enumerable.Range(0, 128)
        .Select(i => (char)i)
        .Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '\0')
        .ToArray();

    /// <summary>A character's part of a <see cref="Key"/>, or 0 for none: the one mapping that Key and KeyEquals share.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static char KeyChar(char c) =>
        // the culture-aware lower-casing goes through ICU per character; ASCII needs none of that
        c < '\u0080' ? AsciiKeyChars[c]
        : c is >= '\u4E00' and <= '\u9FFF' ? c
        : char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c)
        : '\0';

    /// <summary>Comparison key: what a reader would call "the same text" regardless of spacing and punctuation.</summary>
    public static string Key(string s)
    {
        char[]? rented = null;
        var buffer = s.Length <= 256 ? stackalloc char[256] : (rented = ArrayPool<char>.Shared.Rent(s.Length));
        var n = 0;
        foreach (var c in s)
        {
            // Written always and kept only for a letter or digit: a branch on that mispredicts at every space of a line.
            var mapped = KeyChar(c);
            buffer[n] = mapped;
            n += mapped == 0 ? 0 : 1;
        }

        var key = new string(buffer[..n]);
        if (rented is not null)
        {
            ArrayPool<char>.Shared.Return(rented);
        }

        return key;
    }

    /// <summary>
    /// Whether <see cref="Key"/> of <paramref name="s"/> is <paramref name="key"/>, building no key: the characters
    /// of <paramref name="s"/> are mapped as <see cref="Key"/> maps them and compared as they come, so a paragraph
    /// compared with a title stops at its first differing letter.
    /// </summary>
    public static bool KeyEquals(string s, string key)
    {
        var n = 0;
        foreach (var c in s)
        {
            var mapped = KeyChar(c);
            if (mapped == 0)
            {
                continue;
            }

            if (n == key.Length || key[n] != mapped)
            {
                return false;
            }

            n++;
        }

        return n == key.Length;
    }
}
