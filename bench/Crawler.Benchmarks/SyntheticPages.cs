using System.Text;

namespace Crawler.Benchmarks;

/// <summary>A news page in the shape real sites serve: scripts, navigation, share bar, body, related list, footer.</summary>
internal static class SyntheticPages
{
    private static readonly string[] Sentences =
    [
        "The county library will stay open until nine in the evening on weekdays from next month.",
        "Board members said the longer hours would be paid for by closing one branch on Sunday mornings.",
        "Staff will be asked to volunteer for the evening shifts before any new assistants are hired.",
        "Students and shift workers had asked for later opening hours for more than a year.",
        "Visitor counts on Sunday mornings have been the lowest of the week for three years in a row.",
    ];

    public static string English(int paragraphs)
    {
        var page = new StringBuilder();
        page.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Library to stay open later | Valley Courier</title>");
        page.Append("<meta property=\"article:published_time\" content=\"2024-03-12T18:05:00-04:00\"><meta name=\"author\" content=\"Maria Lopez\">");
        page.Append("<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}</script></head><body>");
        page.Append("<div class=\"cookie-banner\">We use cookies. <a href=\"/cookies\">Cookie policy</a></div><header><nav>");
        for (var i = 0; i < 12; i++)
        {
            page.Append("<a href=\"/section/").Append(i).Append("\">Section ").Append(i).Append("</a> ");
        }

        page.Append("</nav></header><div class=\"share\"><a href=\"#\">Share</a> <a href=\"#\">Email</a></div>");
        page.Append("<article><h1>Library to stay open later</h1><p class=\"byline\">By Maria Lopez</p><div class=\"article-body\">");
        for (var p = 0; p < paragraphs; p++)
        {
            page.Append("<p>");
            for (var s = 0; s < 4; s++)
            {
                page.Append(Sentences[(p + s) % Sentences.Length]).Append(' ');
            }

            page.Append("<a href=\"/related/").Append(p).Append("\">more</a></p>");
        }

        page.Append("</div></article><aside class=\"related\"><h2>Related</h2><ul>");
        for (var i = 0; i < 10; i++)
        {
            page.Append("<li><a href=\"/news/").Append(i).Append("\">Another story number ").Append(i).Append("</a></li>");
        }

        page.Append("</ul></aside><footer><p>Copyright 2024 Valley Courier. All rights reserved.</p></footer></body></html>");
        return page.ToString();
    }
}
