using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Crawler.Worker.Monitoring;

/// <summary>The health and metrics endpoint: <c>Crawler:Monitoring:*</c>. Off unless enabled (the container enables it).</summary>
public sealed class MonitoringOptions
{
    public const string SectionName = "Crawler:Monitoring";

    public bool Enabled { get; set; }

    /// <summary>Address to listen on: 127.0.0.1 for the host only, 0.0.0.0 for a collector in another container.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Address { get; set; } = "127.0.0.1";

    [Range(1, 65535)]
    public int Port { get; set; } = 9464;
}

/// <summary>The data annotations above, checked by generated code (no reflection in the compiled-ahead worker).</summary>
[OptionsValidator]
internal sealed partial class MonitoringOptionsValidator : IValidateOptions<MonitoringOptions>;
