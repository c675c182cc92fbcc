using System.Globalization;
using System.Text;

namespace Crawler.Extraction.Tests;

/// <summary>
/// The text scans take vectorized shortcuts for ASCII and CJK-free text; each must still answer exactly what its
/// definition says, written out here character by character, on text that takes the shortcut and text that does not.
/// </summary>
public class TextTests
{
    public static TheoryData<string> Samples()
    {
        var allAscii = new string(Enumerable.Range(0, 128).Select(i => (char)i).ToArray());
        var data = new TheoryData<string>
        {
            "",
            " ",
            "a",
            "Plain prose, with punctuation. And a second sentence!",
            "two  spaces",
            " leading",
            "trailing ",
            "tab\there",
            "line\nbreak\r\nand\fform\vfeed",
            "file\u001Cseparators\u001Fare not white space",
            "delete\u007Fchar",
            allAscii,
            "café naïve résumé",
            "soft\u00ADhyphen and zero\u200Bwidth and nbsp\u00A0here",
            "combining e\u0301 accent",
            "新华社北京9月20日电，记者：张三。今年春天，县里的三所小学开始试行课后托管服务！",
            "日本語のテキスト、カタカナ。한국어 문장입니다.",
            "mixed 中文 and English, 全角，标点。",
            "\uFFFD replacement and \uE000 private use",
            "“quoted” — em dash… ellipsis.",
            "end with dot.",
            "dot.inside words.not sentence",
        };
        var random = new Random(7);
        for (var n = 0; n < 60; n++)
        {
            var chars = new char[random.Next(0, 300)];
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = random.Next(4) switch
                {
                    0 => (char)random.Next(0, 128),
                    1 => " .,"[random.Next(3)],
                    2 => (char)random.Next(0x4E00, 0x4F00),
                    _ => (char)random.Next(0x80, 0x3100),
                };
            }

            data.Add(new string(chars));
        }

        return data;
    }

    private static bool Cjk(char c) =>
        c is (>= '\u3040' and <= '\u30FF') or (>= '\u3400' and <= '\u4DBF') or (>= '\u4E00' and <= '\u9FFF') or (>= '\uF900' and <= '\uFAFF') or (>= '\uAC00' and <= '\uD7AF');

    private static bool Invisible(char c) => c is '\u200B' or '\u200C' or '\u200D' or '\uFEFF' or '\u00AD' or '\u2060';

    [Theory]
    [MemberData(nameof(Samples))]
    public void Weight_counts_visible_characters_and_CJK_twice(string s)
    {
        var expected = s.Sum(c => Cjk(c) ? 2 : !char.IsWhiteSpace(c) && !Invisible(c) ? 1 : 0);
        Assert.Equal(expected, Text.Weight(s));
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void CjkCount_counts_CJK_characters(string s) => Assert.Equal(s.Count(Cjk), Text.CjkCount(s));

    [Theory]
    [MemberData(nameof(Samples))]
    public void GarbledCount_counts_replacement_private_use_and_unassigned_characters(string s)
    {
        var expected = s.Count(c => c == '\uFFFD' || char.GetUnicodeCategory(c) is UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned);
        Assert.Equal(expected, Text.GarbledCount(s));
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Punctuation_counts_sentence_marks_and_dots_that_end_a_word(string s)
    {
        var expected = 0;
        for (var i = 0; i < s.Length; i++)
        {
            if ("，。！？；、,;!?”\"".Contains(s[i], StringComparison.Ordinal) || (s[i] == '.' && (i + 1 == s.Length || s[i + 1] == ' ')))
            {
                expected++;
            }
        }

        Assert.Equal(expected, Text.Punctuation(s));
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Normalize_returns_NFC_text_without_invisible_or_control_characters_and_single_spaces(string s)
    {
        var normalized = Text.Normalize(s, decodeEntities: false);

        Assert.True(normalized.IsNormalized(NormalizationForm.FormC));
        Assert.DoesNotContain("  ", normalized, StringComparison.Ordinal);
        Assert.Equal(normalized.Trim(), normalized);
        Assert.DoesNotContain(normalized, c => Invisible(c) || char.IsControl(c) || (char.IsWhiteSpace(c) && c != ' '));
        var visible = new string(s.Where(c => !char.IsWhiteSpace(c) && !Invisible(c) && !char.IsControl(c)).ToArray());
        Assert.Equal(visible.Normalize(NormalizationForm.FormC), normalized.Replace(" ", "", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Key_keeps_letters_and_digits_lower_cased(string s)
    {
        var expected = new string(s.Where(char.IsLetterOrDigit).Select(c => c is >= '\u4E00' and <= '\u9FFF' ? c : char.ToLowerInvariant(c)).ToArray());
        Assert.Equal(expected, Text.Key(s));
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void KeyEquals_answers_as_comparing_the_built_key(string s)
    {
        var key = Text.Key(s);
        var candidates = Samples().Cast<object[]>().Select(row => Text.Key((string)row[0])).ToList();
        candidates.AddRange([key, key + "a", "", "新"]);
        if (key.Length > 0)
        {
            candidates.AddRange([key[..^1], key[1..], key[..^1] + (char)(key[^1] + 1), "x" + key]);
        }

        foreach (var candidate in candidates)
        {
            Assert.True(key == candidate == Text.KeyEquals(s, candidate), $"KeyEquals(\"{s}\", \"{candidate}\")");
        }
    }
}
