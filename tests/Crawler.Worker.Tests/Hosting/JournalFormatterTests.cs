using Crawler.Worker.Hosting;
using Serilog.Events;
using Serilog.Parsing;

namespace Crawler.Worker.Tests.Hosting;

public sealed class JournalFormatterTests
{
    [Theory]
    [InlineData(LogEventLevel.Fatal, "<2>")]
    [InlineData(LogEventLevel.Error, "<3>")]
    [InlineData(LogEventLevel.Warning, "<4>")]
    [InlineData(LogEventLevel.Information, "<6>")]
    [InlineData(LogEventLevel.Debug, "<7>")]
    public void Each_line_starts_with_the_syslog_priority_of_its_level_and_no_timestamp(LogEventLevel level, string prefix)
    {
        var text = Format(level, null);
        Assert.StartsWith(prefix + "Fetched http://a/1 ", text, StringComparison.Ordinal);
        Assert.Contains("\"Source\":\"fixture\"", text, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\d{4}-\d{2}-\d{2}", text);
    }

    [Fact]
    public void Every_line_of_an_exception_carries_the_priority()
    {
        var text = Format(LogEventLevel.Error, new InvalidOperationException("first\nsecond"));
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length >= 3);
        Assert.All(lines, line => Assert.StartsWith("<3>", line, StringComparison.Ordinal));
    }

    private static string Format(LogEventLevel level, Exception? exception)
    {
        var template = new MessageTemplateParser().Parse("Fetched {Url}");
        var properties = new[] { new LogEventProperty("Url", new ScalarValue("http://a/1")), new LogEventProperty("Source", new ScalarValue("fixture")) };
        var logEvent = new LogEvent(DateTimeOffset.UtcNow, level, exception, template, properties);
        using var output = new StringWriter();
        new JournalFormatter().Format(logEvent, output);
        return output.ToString();
    }
}
