namespace Crawler.Extraction.Tests;

/// <summary>English news pages in our own words, wrapped in the boilerplate real news sites carry.</summary>
internal static class EnglishPages
{
    public const string LibraryParagraph1 = "The county library will stay open until nine in the evening on weekdays from next month, the library board decided on Tuesday after a year of requests from students and shift workers.";
    public const string LibraryParagraph2 = "Board members said the longer hours would be paid for by closing one branch on Sunday mornings, when visitor counts have been lowest for three years in a row.";
    public const string LibraryParagraph3 = "Staff will be asked to volunteer for the evening shifts first. If too few sign up, the board said, it will hire two part-time assistants before the change begins.";

    /// <summary>Only visible text to go on: a dateline with a label, a two-person byline, no metadata.</summary>
    public const string TextOnly = $$"""
        <!DOCTYPE html>
        <html lang="en"><head><title>Library to stay open later on weekdays - Valley Courier</title></head><body>
        <div class="cookie-notice">This site uses cookies to measure traffic. <a href="/cookies">Cookie settings</a></div>
        <div class="top-bar"><a href="/">Home</a> | <a href="/local">Local</a> | <a href="/schools">Schools</a> | <a href="/subscribe">Subscribe</a></div>
        <div class="story">
          <h1>Library to stay open later on weekdays</h1>
          <div class="story-meta"><p>By Maria Lopez and Tom Reed</p><p>Published 12 March 2024, 6:05 pm</p></div>
          <div class="share-tools"><a href="https://social.example.com/share">Share</a> <a href="mailto:?subject=x">Email</a> <a href="#">Print</a></div>
          <div class="story-body">
            <p>{{LibraryParagraph1}}</p>
            <p>{{LibraryParagraph2}}</p>
            <div class="newsletter-box"><p>Get the morning briefing in your inbox.</p><a href="/newsletter">Sign up</a></div>
            <p>{{LibraryParagraph3}}</p>
          </div>
          <div class="related-links"><h3>Related</h3><ul>
            <li><a href="/local/pool">Pool reopens after repairs</a></li>
            <li><a href="/local/budget">County budget vote delayed</a></li></ul></div>
        </div>
        <footer><p>Copyright 2024 Valley Courier. All rights reserved.</p><a href="/privacy">Privacy</a> <a href="/terms">Terms</a></footer>
        </body></html>
        """;

    public const string BridgeParagraph1 = "Repair crews will close the north lane of the old river bridge for six weeks starting on Monday, the state transportation department said.";
    public const string BridgeParagraph2 = "Engineers found worn bearings during a routine inspection last autumn. The bridge remains safe, the department said, but the work cannot wait for another winter.";
    public const string BridgeParagraph3 = "Drivers are advised to use the bypass during the morning rush. Buses will keep their usual routes, with delays of up to ten minutes expected.";

    /// <summary>Metadata in meta tags, a byline that is only a link to the author's page, most-read sidebar.</summary>
    public const string MetaTagged = $$"""
        <!DOCTYPE html>
        <html lang="en-US"><head><title>Old river bridge lane to close for repairs | Metro Daily</title>
        <meta property="og:title" content="Old river bridge lane to close for repairs">
        <meta property="article:published_time" content="2023-10-27T08:15:00-04:00">
        <meta property="og:site_name" content="Metro Daily">
        </head><body>
        <header class="masthead"><nav><a href="/">Metro Daily</a> <a href="/news">News</a> <a href="/traffic">Traffic</a> <a href="/login">Log in</a></nav></header>
        <main>
          <article>
            <h1>Old river bridge lane to close for repairs</h1>
            <div class="meta"><a href="https://metro.example.com/authors/ken-adams/">Ken Adams</a> <span>Oct. 27, 2023</span></div>
            <p>{{BridgeParagraph1}}</p>
            <p>{{BridgeParagraph2}}</p>
            <figure><img src="/img/bridge.jpg" alt=""><figcaption>The old river bridge in 2019.</figcaption></figure>
            <p>{{BridgeParagraph3}}</p>
            <p class="tags">Tags: <a href="/tag/traffic">traffic</a>, <a href="/tag/bridges">bridges</a></p>
          </article>
          <aside class="most-read"><h2>Most read</h2><ol>
            <li><a href="/news/a">Mayor announces new budget plan for the city parks</a></li>
            <li><a href="/news/b">High school team wins the regional final after extra time</a></li>
            <li><a href="/news/c">New bakery opens on Main Street with a long queue outside</a></li></ol></aside>
        </main>
        <footer class="site-footer"><p>© 2023 Metro Daily</p><a href="/about">About us</a> <a href="/contact">Contact</a></footer>
        </body></html>
        """;
}
