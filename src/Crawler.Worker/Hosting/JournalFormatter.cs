using System.Globalization;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Display;

namespace Crawler.Worker.Hosting;

/// <summary>
/// Console lines for systemd's journal: each line starts with the syslog priority in angle brackets (sd-daemon(3)),
/// which journald turns into the entry's priority, and carries no timestamp, because the journal adds its own.
/// </summary>
public sealed class JournalFormatter : ITextFormatter
{
    private readonly MessageTemplateTextFormatter _body = new("{Message:lj} {Properties:j}", CultureInfo.InvariantCulture);

    public void Format(LogEvent logEvent, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        ArgumentNullException.ThrowIfNull(output);
        var prefix = $"<{Priority(logEvent.Level)}>";
        using var body = new StringWriter(CultureInfo.InvariantCulture);
        _body.Format(logEvent, body);
        output.Write(prefix);
        output.Write(body.ToString().ReplaceLineEndings(" "));
        output.Write('\n');
        if (logEvent.Exception is { } exception)
        {
            // one journal entry per line: each gets the priority, or journald files it as info
            foreach (var line in exception.ToString().Split('\n'))
            {
                output.Write(prefix);
                output.Write(line.TrimEnd('\r'));
                output.Write('\n');
            }
        }
    }

    /// <summary>syslog severities: 2 critical, 3 error, 4 warning, 6 info, 7 debug.</summary>
    public static int Priority(LogEventLevel level) => level switch
    {
        LogEventLevel.Fatal => 2,
        LogEventLevel.Error => 3,
        LogEventLevel.Warning => 4,
        LogEventLevel.Information => 6,
        _ => 7,
    };
}
