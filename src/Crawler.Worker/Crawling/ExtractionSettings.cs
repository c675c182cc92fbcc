using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Crawler.Worker.Crawling;

/// <summary><c>Crawler:Extraction:*</c>; the zone comes from the source.</summary>
public sealed class ExtractionSettings
{
    public const string SectionName = "Crawler:Extraction";

    /// <summary>Below this much main text (a CJK character counts as two) a page is not kept as an article.</summary>
    [Range(0, 100_000)]
    public int MinArticleLength { get; set; } = 200;
}

/// <summary>The data annotations above, checked by generated code (no reflection in the compiled-ahead worker).</summary>
[OptionsValidator]
internal sealed partial class ExtractionSettingsValidator : IValidateOptions<ExtractionSettings>;
