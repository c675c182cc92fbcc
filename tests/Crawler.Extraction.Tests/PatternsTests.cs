namespace Crawler.Extraction.Tests;

/// <summary>The shortcuts in front of the extractor's regexes: each must answer exactly what its regex does.</summary>
public class PatternsTests
{
    public static TheoryData<string> BoilerplateSamples()
    {
        string[] lines =
        [
            "版权所有 © 2024 晨报", "Copyright 2024 The Herald", "COPYRIGHT", "ICP备12345678号", "京ICP证 040", "京icp备", "沪公网安备 3101",
            "违法和不良信息举报电话：12377", "互联网新闻信息服务许可证", "上一篇：春耕", "  下一篇", "返回顶部", "【打印】", "【 关闭 】", "打印本页",
            "分享到：微信", "扫一扫", "All Rights Reserved.", "all rights reserved", "Share this story", "  share", "\tTweet", "Print",
            "EMAIL us", "Advertisement", "Sponsored content", "shared values", "本站声明", "本网郑重声明", "转载请注明出处", "未经授权不得转载",
            "原创版权", "This site uses cookies", "We use cookies to improve", "Accept all cookies", "Cookie settings", "cookie policy",
            // The Kelvin sign, which the regex takes for a "k" ignoring case and an ordinal comparison does not; the long s
            // and the Turkish i, which neither takes for ASCII under the invariant culture.
            "Coo\u212Aie settings", "Accept all coo\u212Aies", "\u212Aeep", "\u017Fhare this", "all right\u017F re\u017Ferved", "Advertisement\u017F",
            "\u0130CP备", "\u0131cp备", "Copyr\u0131ght", "COPYR\u0130GHT",
            "\u3000share", "\u00A0print", "\u2003上一篇", "ｓｈａｒｅ", "Ｃｏｐｙｒｉｇｈｔ",
            "The harbour authority said shipments rose.", "A quiet day in the council", "Teachers and schools", "Prices, printers and emails",
            "Cooperation between ports", "declared (声) no 明", "sharecropping", "email", "e-mail", "", " ", "©",
        ];
        var distinct = lines.SelectMany(line => new[] { line, "今年春天，" + line, "In the spring " + line + " and after" })
            .Concat(TextTests.Samples())
            .Distinct(StringComparer.Ordinal);
        return new TheoryData<string>(distinct);
    }

    [Theory]
    [MemberData(nameof(BoilerplateSamples))]
    public void IsBoilerplate_answers_as_the_Boilerplate_regex(string s) => Assert.Equal(Patterns.Boilerplate().IsMatch(s), Patterns.IsBoilerplate(s));
}
