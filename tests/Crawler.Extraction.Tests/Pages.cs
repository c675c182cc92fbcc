namespace Crawler.Extraction.Tests;

/// <summary>Hand-written pages shaped like the layouts the crawler meets.</summary>
internal static class Pages
{
    public const string XinhuaTitle = "纳卡局势再紧张 阿塞拜疆发起军事行动";

    public const string Xinhua = """
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"><title>纳卡局势再紧张 阿塞拜疆发起军事行动_新闻频道</title>
        <meta name="keywords" content="纳卡,阿塞拜疆">
        <link rel="canonical" href="/world/2023-09/20/c_1.htm"></head>
        <body>
        <div class="header"><ul class="nav"><li><a href="/">首页</a></li><li><a href="/world/">国际</a></li><li><a href="/china/">国内</a></li><li><a href="/finance/">财经</a></li></ul></div>
        <div class="breadcrumb">• <a href="/my/">我的订阅</a> • <a href="/world/">国际</a></div>
        <div class="main">
          <h1>纳卡局势再紧张 阿塞拜疆发起军事行动</h1>
          <div class="info">类别:国际 发布时间:2023-09-20 15:50:00 来源:新华社</div>
          <div class="share"><a href="https://weibo.com/share">微博</a> <a href="https://wx.example.com/">微信</a></div>
          <div id="detail">
            <p>新华社北京9月20日电 阿塞拜疆国防部19日宣布，在纳戈尔诺-卡拉巴赫地区发起“局部反恐行动”，称此举旨在恢复宪法秩序。亚美尼亚方面谴责这一行动，局势骤然紧张。</p>
            <p><img src="/img/1.jpg" alt="纳卡局势再紧张 阿塞拜疆发起军事行动"></p>
            <p>这是9月19日在纳卡地区拍摄的一处街道。</p>
            <p><strong>【局势再升级】</strong></p>
            <p>据阿塞拜疆国防部消息，阿军当天对纳卡地区亚美尼亚武装力量的阵地和军事设施实施打击，并表示仅针对合法军事目标。纳卡地区当局则称，首府斯捷潘纳克特等地遭到炮击，造成人员伤亡。</p>
            <p>亚美尼亚总理帕希尼扬当天表示，亚美尼亚军队没有部署在纳卡地区，亚方认为阿方的行动意在对纳卡地区进行种族清洗。他呼吁联合国安理会和俄罗斯维和部队采取行动。</p>
            <p><strong>【多方吁克制】</strong></p>
            <p>俄罗斯外交部发言人扎哈罗娃当天呼吁冲突双方保持克制，停止流血冲突，回到政治外交解决轨道。欧盟、美国和土耳其等也对局势表示关切，呼吁各方通过对话解决分歧。(完)(新华社专特稿)</p>
          </div>
          <div class="keywords">关键词:纳戈尔诺-卡拉巴赫(Nagorno-Karabakh)</div>
          <div class="more">
            <p>相关阅读:</p>
            <h2>亚美尼亚总理呼吁国际社会关注纳卡人道局势</h2>
            <p><img src="/img/2.jpg" alt="纳卡局势再紧张 阿塞拜疆发起军事行动"></p>
            <p>资料图：亚美尼亚首都埃里温街景。</p>
            <p>亚美尼亚总理帕希尼扬近日在首都埃里温会见外国使节时表示，纳卡地区的人道主义形势持续恶化，当地居民面临食品和药品短缺，国际社会应当给予更多关注并提供援助。</p>
            <p>帕希尼扬说，亚方愿意在国际法框架内与阿方继续谈判，推动边界划定和交通线路恢复等问题取得进展，为地区长期和平奠定基础。</p>
          </div>
        </div>
        <div class="footer"><p>Copyright © 2023 新闻网 版权所有</p><p>京ICP备12345678号</p></div>
        </body></html>
        """;

    public const string English = """
        <!DOCTYPE html>
        <html lang="en"><head><title>City council approves new river park | The Riverside Gazette</title>
        <meta property="og:title" content="City council approves new river park">
        <meta property="og:site_name" content="The Riverside Gazette">
        <meta property="og:image" content="https://gazette.example.com/img/park.jpg">
        </head><body>
        <div id="cookie-banner">We use cookies to improve your experience. <a href="/privacy">Cookie policy</a> <button>Accept all cookies</button></div>
        <header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a> <a href="/opinion">Opinion</a> <a href="/weather">Weather</a></nav></header>
        <main>
          <article>
            <h1>City council approves new river park</h1>
            <p class="byline">By Jane Doe</p>
            <time datetime="2024-03-05T09:30:00-05:00">March 5, 2024</time>
            <p>The city council voted seven to two on Monday night to turn the abandoned rail yard along the east bank of the river into a public park, ending a debate that has run for almost a decade.</p>
            <p>The plan includes a walking trail, a playground, and a small amphitheater for summer concerts. Construction is expected to begin in the autumn and to take about two years, according to the parks department.</p>
            <h2>Funding questions remain</h2>
            <p>Two council members who voted against the plan said the city had not explained how it would pay for maintenance once the state grant runs out. "We are building something we may not be able to keep up," one of them said.</p>
            <blockquote>A river city should be able to touch its river.</blockquote>
            <p>Supporters pointed to a survey in which most residents said they wanted more green space close to downtown. The <a href="https://gazette.example.com/parks-survey" rel="nofollow">survey results</a> were published last spring.</p>
          </article>
          <aside class="related"><h3>Related stories</h3><ul>
            <li><a href="/news/bridge-repairs">Bridge repairs to close Main Street for a month</a></li>
            <li><a href="/news/library-hours">Library extends weekend hours</a></li>
            <li><a href="/news/bus-routes">New bus routes start next week</a></li></ul></aside>
        </main>
        <footer><p>© 2024 The Riverside Gazette. All rights reserved.</p><a href="mailto:news@example.com">Contact</a> <a href="javascript:void(0)">Top</a></footer>
        </body></html>
        """;

    public const string GbkBody = "中国人民银行今天宣布下调金融机构存款准备金率，释放长期资金约一万亿元。镕堃喆这类字在国标二三一二之外。";

    public static string GbkPage(string? metaCharset) => $"""
        <html><head>{(metaCharset is null ? "" : $"<meta http-equiv=\"Content-Type\" content=\"text/html; charset={metaCharset}\">")}
        <title>央行降准</title></head><body><div class="content"><p>{GbkBody}</p><p>{GbkBody}</p></div></body></html>
        """;
}
