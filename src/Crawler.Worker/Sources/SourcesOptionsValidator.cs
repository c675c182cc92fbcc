using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Quartz;

namespace Crawler.Worker.Sources;

/// <summary>
/// Validates every source at start with a message that names the exact configuration key, so an operator can fix
/// <c>Crawler:Sources:2:Schedule</c> without guessing which of many sources is wrong.
/// </summary>
public sealed class SourcesOptionsValidator : IValidateOptions<SourcesOptions>
{
    public ValidateOptionsResult Validate(string? name, SourcesOptions options)
    {
        var failures = new List<string>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Sources.Count; i++)
        {
            var s = options.Sources[i];
            var key = $"Crawler:Sources:{i}";
            if (string.IsNullOrWhiteSpace(s.Name))
            {
                failures.Add($"{key}:Name is required.");
            }
            else if (!names.Add(s.Name))
            {
                failures.Add($"{key}:Name '{s.Name}' is used by another source; names must be unique.");
            }

            if (s.Seeds.Count == 0)
            {
                failures.Add($"{key}:Seeds needs at least one URL.");
            }

            for (var j = 0; j < s.Seeds.Count; j++)
            {
                if (!Uri.TryCreate(s.Seeds[j], UriKind.Absolute, out var seed) || (seed.Scheme != Uri.UriSchemeHttp && seed.Scheme != Uri.UriSchemeHttps))
                {
                    failures.Add($"{key}:Seeds:{j} '{s.Seeds[j]}' is not an absolute http(s) URL.");
                }
            }

            if (!Enum.TryParse<NearDuplicatePolicy>(s.NearDuplicates, ignoreCase: true, out _) || int.TryParse(s.NearDuplicates, out _))
            {
                failures.Add($"{key}:NearDuplicates '{s.NearDuplicates}' must be Link (keep and record the original) or Skip (do not store).");
            }

            foreach (var (field, pattern) in new[] { ("Include", s.Include), ("Follow", s.Follow), ("Exclude", s.Exclude) })
            {
                if (string.IsNullOrEmpty(pattern))
                {
                    continue;
                }

                try
                {
                    _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
                }
                catch (ArgumentException ex)
                {
                    failures.Add($"{key}:{field} '{pattern}' is not a valid regular expression: {ex.Message}");
                }
            }


            for (var j = 0; j < s.AllowedHosts.Count; j++)
            {
                if (Uri.CheckHostName(s.AllowedHosts[j]) == UriHostNameType.Unknown)
                {
                    failures.Add($"{key}:AllowedHosts:{j} '{s.AllowedHosts[j]}' is not a host name.");
                }
            }

            if (!CronExpression.IsValidExpression(s.Schedule))
            {
                failures.Add($"{key}:Schedule '{s.Schedule}' is not a valid Quartz cron expression (six or seven fields, seconds first, e.g. '0 0/30 * * * ?').");
            }

            if (s.MaxPages < 1)
            {
                failures.Add($"{key}:MaxPages must be at least 1 (was {s.MaxPages}).");
            }

            if (s.MaxDepth is < 0 or > 20)
            {
                failures.Add($"{key}:MaxDepth must be between 0 and 20 (was {s.MaxDepth}).");
            }

            if (s.TimeZone is { Length: > 0 } zone && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
            {
                failures.Add($"{key}:TimeZone '{zone}' is not a known time zone id (use IANA ids such as 'Asia/Shanghai').");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
