using Crawler.FixtureSite;
using Crawler.Worker.Tests.Support;
using Microsoft.Extensions.Options;

namespace Crawler.Worker.Tests.Hosting;

/// <summary>
/// A wrong value in configuration stops the start with a message naming the field and its bounds. The validators are
/// generated from the options' annotations, so these prove the generated code checks what the annotations say.
/// </summary>
public sealed class OptionsValidationTests
{
    [Theory]
    [InlineData("Crawler:Fetch:AttemptTimeout", "00:00:00.050", "AttemptTimeout must be between 00:00:00.1000000 and 00:10:00")]
    [InlineData("Crawler:Fetch:AttemptTimeout", "00:10:00.001", "AttemptTimeout must be between 00:00:00.1000000 and 00:10:00")]
    [InlineData("Crawler:Frontier:LeaseDuration", "00:00:00", "LeaseDuration must be between")]
    [InlineData("Storage:StartupTimeout", "02:00:00", "StartupTimeout must be between 00:00:00 and 01:00:00")]
    [InlineData("Crawler:Fetch:MaxConcurrency", "0", "MaxConcurrency must be between 1 and 1024")]
    [InlineData("Crawler:Fetch:UserAgent", "", "UserAgent")]
    public async Task An_out_of_range_setting_stops_the_start_naming_it(string key, string value, string expected)
    {
        await using var site = await NewsSite.StartAsync();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => TestWorker.StartAsync(site, s => s[key] = value));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Crawler:Fetch:AttemptTimeout", "00:00:00.100")]
    [InlineData("Crawler:Fetch:AttemptTimeout", "00:10:00")]
    [InlineData("Storage:StartupTimeout", "00:00:00")]
    public async Task A_setting_on_its_bound_is_accepted(string key, string value)
    {
        await using var site = await NewsSite.StartAsync();

        using var worker = await TestWorker.StartAsync(site, s => s[key] = value);

        Assert.NotNull(worker.Store);
    }
}
