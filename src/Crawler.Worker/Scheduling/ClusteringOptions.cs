using System.ComponentModel.DataAnnotations;
using Crawler.Storage;
using Microsoft.Extensions.Options;

namespace Crawler.Worker.Scheduling;

/// <summary>Quartz clustering when workers share PostgreSQL: <c>Crawler:Clustering:*</c>.</summary>
public sealed class ClusteringOptions
{
    public const string SectionName = "Crawler:Clustering";

    /// <summary>How often a worker tells the others it is alive.</summary>
    [TimeSpanRange("00:00:01", "00:10:00")]
    public TimeSpan CheckinInterval { get; set; } = TimeSpan.FromSeconds(7.5);

    /// <summary>How late a check-in may be before the worker counts as dead and its jobs are recovered elsewhere.</summary>
    [TimeSpanRange("00:00:01", "00:30:00")]
    public TimeSpan CheckinMisfireThreshold { get; set; } = TimeSpan.FromSeconds(20);
}

/// <summary>The data annotations above, checked by generated code (no reflection in the compiled-ahead worker).</summary>
[OptionsValidator]
internal sealed partial class ClusteringOptionsValidator : IValidateOptions<ClusteringOptions>;
