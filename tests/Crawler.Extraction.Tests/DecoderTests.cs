using System.Text;

namespace Crawler.Extraction.Tests;

public class DecoderTests
{
    static DecoderTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private static byte[] Gbk(string s) => Encoding.GetEncoding("GBK").GetBytes(s);

    [Fact]
    public void Gbk_page_declared_by_meta_only_decodes_without_mojibake()
    {
        var d = HtmlTextDecoder.Decode(Gbk(Pages.GbkPage("gb2312")), null);
        Assert.Contains(Pages.GbkBody, d.Html, StringComparison.Ordinal);
        Assert.Equal(CharsetSource.MetaTag, d.Source);
    }

    [Fact]
    public void Gbk_page_declared_by_header_only_decodes_without_mojibake()
    {
        var d = HtmlTextDecoder.Decode(Gbk(Pages.GbkPage(null)), "GBK");
        Assert.Contains(Pages.GbkBody, d.Html, StringComparison.Ordinal);
        Assert.Equal(CharsetSource.HttpHeader, d.Source);
    }

    [Fact]
    public void Gbk_page_declared_utf8_falls_back_to_detection()
    {
        var d = HtmlTextDecoder.Decode(Gbk(Pages.GbkPage("utf-8")), "utf-8");
        Assert.Contains(Pages.GbkBody, d.Html, StringComparison.Ordinal);
        Assert.Equal(CharsetSource.Detected, d.Source);
    }

    [Fact]
    public void Undeclared_gbk_page_is_detected()
    {
        var d = HtmlTextDecoder.Decode(Gbk(Pages.GbkPage(null)), null);
        Assert.Contains(Pages.GbkBody, d.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void Undeclared_big5_page_is_not_mistaken_for_gbk()
    {
        const string Traditional = "臺灣的中央銀行今天宣布調整存款準備率，釋放長期資金約一千億元。市場人士認為這項決定有助於穩定經濟。";
        var page = $"<html><head><title>央行</title></head><body><p>{string.Concat(Enumerable.Repeat(Traditional, 6))}</p></body></html>";
        var d = HtmlTextDecoder.Decode(Encoding.GetEncoding("big5").GetBytes(page), null);
        Assert.Contains(Traditional, d.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void Bom_wins_over_header_and_unknown_charset_falls_through()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("<p>你好</p>")).ToArray();
        var d = HtmlTextDecoder.Decode(bytes, "gbk");
        Assert.Equal("<p>你好</p>", d.Html);
        Assert.Equal(CharsetSource.ByteOrderMark, d.Source);

        var plain = HtmlTextDecoder.Decode(Encoding.UTF8.GetBytes("<meta charset=\"x-no-such\"><p>你好</p>"), "bogus-charset");
        Assert.Contains("你好", plain.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void Extract_from_bytes_decodes_first()
    {
        var a = new ArticleExtractor(new ExtractionOptions()).Extract(Gbk(Pages.GbkPage("gbk")), null, new Uri("https://example.cn/"));
        Assert.Contains(Pages.GbkBody, a.Body, StringComparison.Ordinal);
        Assert.Equal("央行降准", a.Title);
    }
}
