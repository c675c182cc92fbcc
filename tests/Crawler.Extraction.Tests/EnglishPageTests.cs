namespace Crawler.Extraction.Tests;

public class EnglishPageTests
{
    private static readonly ArticleExtractor Extractor = new(new ExtractionOptions { DefaultTimeZone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York") });

    [Fact]
    public void Text_only_page_gives_title_byline_dateline_and_clean_body()
    {
        var a = Extractor.Extract(EnglishPages.TextOnly, new Uri("https://courier.example.com/local/library-hours"));
        Assert.Equal("Library to stay open later on weekdays", a.Title);
        Assert.Equal("Maria Lopez and Tom Reed", a.Author);
        Assert.Equal(new DateTime(2024, 3, 12, 18, 5, 0), a.PublishedAt!.Value.DateTime);
        Assert.Equal(
            [EnglishPages.LibraryParagraph1, EnglishPages.LibraryParagraph2, EnglishPages.LibraryParagraph3],
            a.Blocks.Where(b => b.Kind == BlockKind.Paragraph).Select(b => b.Text));
        Assert.True(a.LooksLikeArticle);
    }

    [Theory]
    [InlineData("cookies")]
    [InlineData("Subscribe")]
    [InlineData("Share")]
    [InlineData("morning briefing")]
    [InlineData("Pool reopens")]
    [InlineData("All rights reserved")]
    public void Text_only_page_body_has_no_boilerplate(string boilerplate)
    {
        var a = Extractor.Extract(EnglishPages.TextOnly, new Uri("https://courier.example.com/local/library-hours"));
        Assert.DoesNotContain(boilerplate, a.Body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Meta_tagged_page_gives_meta_date_and_author_from_the_author_page_link()
    {
        var a = Extractor.Extract(EnglishPages.MetaTagged, new Uri("https://metro.example.com/news/bridge-lane"));
        Assert.Equal("Old river bridge lane to close for repairs", a.Title);
        Assert.Equal("Ken Adams", a.Author);
        Assert.Equal(new DateTimeOffset(2023, 10, 27, 8, 15, 0, TimeSpan.FromHours(-4)), a.PublishedAt);
        Assert.Equal("Metro Daily", a.Publisher);
        Assert.StartsWith(EnglishPages.BridgeParagraph1, a.Body, StringComparison.Ordinal);
        Assert.Contains(EnglishPages.BridgeParagraph3, a.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("Most read", a.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("Mayor announces", a.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("Tags:", a.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("Metro Daily", a.Body, StringComparison.Ordinal);
    }
}

public class OtherLanguageFieldTests
{
    private static readonly ArticleExtractor Extractor = new(new ExtractionOptions { DefaultTimeZone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin") });

    [Theory]
    [InlineData("Von Anna Schmidt", "Veröffentlicht am 5. März 2024, 14:30", "Anna Schmidt", 2024, 3, 5, 14, 30)]
    [InlineData("Par Claire Martin", "Publié le 7 juillet 2023 à 09h15", "Claire Martin", 2023, 7, 7, 9, 15)]
    [InlineData("Por Lucía Gómez", "Publicado el 21 de octubre de 2022", "Lucía Gómez", 2022, 10, 21, 0, 0)]
    [InlineData("Door Jan de Vries", "12.01.2021 08:00", "Jan de Vries", 2021, 1, 12, 8, 0)]
    public void Reads_bylines_and_day_first_dates_of_other_european_languages(string byline, string dateline, string author, int y, int mo, int d, int h, int mi)
    {
        const string Para = "<p>Der Stadtrat hat am Dienstag beschlossen, die Bibliothek an Wochentagen bis einundzwanzig Uhr zu öffnen, nachdem Studierende und Schichtarbeiter das seit langem gefordert hatten.</p>";
        var html = $"<html><head><title>Bibliothek länger offen</title></head><body><article><h1>Bibliothek länger offen</h1><p>{byline}</p><p>{dateline}</p>{Para}{Para}{Para}</article></body></html>";
        var a = Extractor.Extract(html, new Uri("https://zeitung.example.de/a"));
        Assert.Equal(author, a.Author);
        Assert.Equal(new DateTime(y, mo, d, h, mi, 0), a.PublishedAt!.Value.DateTime);
    }
}
