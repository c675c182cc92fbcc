using System.Text;
using UtfUnknown;

namespace Crawler.Extraction;

/// <summary>
/// Turns raw response bytes into text the way browsers do (BOM, then transport, then the document's own
/// declaration), but distrusts declarations the bytes contradict: many Chinese sites declare one charset
/// and serve another.
/// </summary>
public static class HtmlTextDecoder
{
    private const int PrescanBytes = 4096;

    private static readonly System.Buffers.SearchValues<char> ValueEnd = System.Buffers.SearchValues.Create("\"'; />\t\r\n");

    static HtmlTextDecoder() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static DecodedHtml Decode(ReadOnlySpan<byte> bytes, string? headerCharset)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            return new(Encoding.UTF8.GetString(bytes[3..]), Encoding.UTF8, CharsetSource.ByteOrderMark);
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            return new(Encoding.Unicode.GetString(bytes[2..]), Encoding.Unicode, CharsetSource.ByteOrderMark);
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return new(Encoding.BigEndianUnicode.GetString(bytes[2..]), Encoding.BigEndianUnicode, CharsetSource.ByteOrderMark);
        }

        if (TryDeclared(bytes, ResolveEncoding(headerCharset), CharsetSource.HttpHeader) is { } fromHeader)
        {
            return fromHeader;
        }

        if (TryDeclared(bytes, ResolveEncoding(PrescanMetaCharset(bytes)), CharsetSource.MetaTag) is { } fromMeta)
        {
            return fromMeta;
        }

        if (IsValidUtf8(bytes))
        {
            return new(Encoding.UTF8.GetString(bytes), Encoding.UTF8, bytes.IsEmpty ? CharsetSource.Default : CharsetSource.Detected);
        }

        if (HasNonAscii(bytes) && AsChineseGb(bytes) is { } gb)
        {
            return new(gb, Gb18030.Value, CharsetSource.Detected);
        }

        var detected = Detect(bytes);
        if (detected is not null)
        {
            return new(detected.GetString(bytes), detected, CharsetSource.Detected);
        }

        return new(Encoding.UTF8.GetString(bytes), Encoding.UTF8, CharsetSource.Default);
    }

    /// <summary>Maps a charset label to an encoding; null for labels we cannot honour.</summary>
    public static Encoding? ResolveEncoding(string? charset)
    {
        if (string.IsNullOrWhiteSpace(charset))
        {
            return null;
        }

        var name = charset.Trim().Trim('"', '\'').ToLowerInvariant();
        name = name switch
        {
            // GB18030 is a superset: pages labelled gb2312 routinely use GBK-only characters.
            "gb2312" or "gbk" or "x-gbk" or "gb_2312-80" or "gb_2312" or "csgb2312" or "chinese" or "cp936" or "windows-936" => "gb18030",
            "utf8" => "utf-8",
            "big5-hkscs" or "x-x-big5" => "big5",
            "iso-8859-1" or "latin1" or "us-ascii" or "ascii" => "windows-1252",
            _ => name,
        };
        try
        {
            return Encoding.GetEncoding(name);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static DecodedHtml? TryDeclared(ReadOnlySpan<byte> bytes, Encoding? encoding, CharsetSource source)
    {
        if (encoding is null)
        {
            return null;
        }

        if (encoding.CodePage == Encoding.UTF8.CodePage)
        {
            // A UTF-8 label on non-UTF-8 bytes is a lie we can see; let detection decide.
            return IsValidUtf8(bytes) ? new(Encoding.UTF8.GetString(bytes), Encoding.UTF8, source) : null;
        }

        if (encoding.CodePage is 1200 or 1201)
        {
            return null; // UTF-16 without a BOM declared in an ASCII meta tag is self-contradictory.
        }

        // Valid UTF-8 with multi-byte sequences is almost never a legacy encoding by accident.
        if (HasNonAscii(bytes) && IsValidUtf8(bytes) && !IsSingleByte(encoding))
        {
            return null;
        }

        // One pass with U+FFFD for bad bytes, instead of a strict pass that throws and a second lenient one:
        // a handful of bad bytes (truncated responses, a stray byte in a comment) should not throw the label away.
        var (text, bad) = DecodeCounting(bytes, encoding);
        return bad <= Math.Max(2, text.Length / 1000) ? new(text, encoding, source) : null;
    }

    private static (string Text, int Bad) DecodeCounting(ReadOnlySpan<byte> bytes, Encoding encoding)
    {
        var marking = Encoding.GetEncoding(encoding.CodePage, EncoderFallback.ReplacementFallback, new DecoderReplacementFallback("\uFFFD"));
        var text = marking.GetString(bytes);
        return (text, text.AsSpan().Count('\uFFFD'));
    }

    /// <summary>
    /// Undeclared Chinese pages are nearly always GBK, and the statistical detector costs milliseconds a page. Bytes
    /// that decode cleanly as GB18030 into text whose commonest characters are those of written Chinese are taken
    /// as such; Big5, Shift_JIS or Latin bytes read as GB18030 give rare characters and go on to the detector.
    /// </summary>
    private static string? AsChineseGb(ReadOnlySpan<byte> bytes)
    {
        var (text, bad) = DecodeCounting(bytes, Gb18030.Value);
        if (bad > Math.Max(2, text.Length / 1000))
        {
            return null;
        }

        int cjk = 0, common = 0;
        foreach (var c in text)
        {
            if (c is >= '\u4E00' and <= '\u9FFF')
            {
                cjk++;
                if (CommonHanzi.Contains(c))
                {
                    common++;
                }
            }
        }

        return cjk >= 50 && common * 5 >= cjk ? text : null;
    }

    private static readonly Lazy<Encoding> Gb18030 = new(() => Encoding.GetEncoding("gb18030"));

    // The commonest characters of modern written Chinese: together about two fifths of running text.
    private static readonly HashSet<char> CommonHanzi = [.. "的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年过发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心她本前开但因只从想实日"];

    private static bool IsSingleByte(Encoding e) => e.IsSingleByte;

    private static bool HasNonAscii(ReadOnlySpan<byte> bytes) => bytes.IndexOfAnyInRange((byte)0x80, (byte)0xFF) >= 0;

    private static bool IsValidUtf8(ReadOnlySpan<byte> bytes) => System.Text.Unicode.Utf8.IsValid(bytes);

    private static Encoding? Detect(ReadOnlySpan<byte> bytes)
    {
        try
        {
            var result = CharsetDetector.DetectFromBytes(bytes.ToArray());
            var name = result.Detected?.EncodingName;
            return ResolveEncoding(name) ?? result.Detected?.Encoding;
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Finds a charset declared by a meta tag in the first few KB, without a full parse.</summary>
    internal static string? PrescanMetaCharset(ReadOnlySpan<byte> bytes)
    {
        var head = bytes[..Math.Min(bytes.Length, PrescanBytes)];
        var text = Encoding.Latin1.GetString(head);
        var i = 0;
        while ((i = text.IndexOf("<meta", i, StringComparison.OrdinalIgnoreCase)) >= 0)
        {
            var end = text.IndexOf('>', i);
            if (end < 0)
            {
                end = text.Length;
            }

            var tag = text.AsSpan(i, end - i);
            var at = tag.IndexOf("charset", StringComparison.OrdinalIgnoreCase);
            if (at >= 0)
            {
                var rest = tag[(at + 7)..].TrimStart();
                if (rest.StartsWith("="))
                {
                    rest = rest[1..].TrimStart().TrimStart("\"'");
                    var stop = rest.IndexOfAny(ValueEnd);
                    var value = (stop < 0 ? rest : rest[..stop]).ToString();
                    if (value.Length > 0 && ResolveEncoding(value) is not null)
                    {
                        return value;
                    }
                }
            }

            i = end;
        }

        return null;
    }
}
