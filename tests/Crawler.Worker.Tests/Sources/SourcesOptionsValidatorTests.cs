using Crawler.Worker.Sources;

namespace Crawler.Worker.Tests.Sources;

public sealed class SourcesOptionsValidatorTests
{
    private static SourceOptions Valid(string name = "a") => new() { Name = name, Seeds = ["https://news.example/"], Schedule = "0 0/30 * * * ?" };

    [Fact]
    public void A_valid_source_passes() =>
        Assert.True(new SourcesOptionsValidator().Validate(null, new SourcesOptions { Sources = [Valid()] }).Succeeded);

    [Fact]
    public void Each_bad_value_is_reported_with_its_configuration_key()
    {
        var bad = new SourcesOptions
        {
            Sources =
            [
                Valid(),
                new() { Name = "a", Seeds = ["not a url"], Include = "([", Schedule = "every hour", MaxPages = 0, TimeZone = "Mars/Olympus", NearDuplicates = "Drop" },
                new() { Name = "", Seeds = [] },
            ],
        };
        var failures = new SourcesOptionsValidator().Validate(null, bad).Failures!.ToList();
        Assert.Contains(failures, f => f.StartsWith("Crawler:Sources:1:Name 'a' is used by another source", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Crawler:Sources:1:Seeds:0 'not a url'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Crawler:Sources:1:Include '(['", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Crawler:Sources:1:Schedule 'every hour'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Crawler:Sources:1:MaxPages", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Crawler:Sources:1:TimeZone 'Mars/Olympus'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Crawler:Sources:1:NearDuplicates 'Drop' must be Link", StringComparison.Ordinal));
        Assert.Contains("Crawler:Sources:2:Name is required.", failures);
        Assert.Contains("Crawler:Sources:2:Seeds needs at least one URL.", failures);
    }
}
