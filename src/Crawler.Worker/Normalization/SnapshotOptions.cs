using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Crawler.Worker.Normalization;

/// <summary>What the snapshot service adds to every page: <c>Crawler:Snapshot:*</c>. Defaults follow the seed page.</summary>
public sealed class SnapshotOptions
{
    public const string SectionName = "Crawler:Snapshot";

    /// <summary>The snapshot site's name, written into the disclaimer.</summary>
    [Required(AllowEmptyStrings = false)]
    public string SiteName { get; set; } = "localhost";

    /// <summary>Disclaimer template; <c>{site}</c> is replaced by the site name.</summary>
    [Required(AllowEmptyStrings = false)]
    public string DisclaimerTemplate { get; set; } = "以上内容为资讯信息快照,由{site}爬虫进行采集并收录,本站未对信息做任何修改,信息内容不代表本站立场。";

    [Required(AllowEmptyStrings = false)]
    public string TakedownNotice { get; set; } = "本站信息快照查询为非营利公共服务,如有侵权请联系我们进行删除。";

    /// <summary>IANA zone for rendering times (stored times stay UTC) and for page times without an offset.</summary>
    [Required(AllowEmptyStrings = false)]
    public string TimeZone { get; set; } = "Asia/Shanghai";

    public SnapshotLabels Labels { get; set; } = new();
}

/// <summary>The words of the rendered text layout, so a deployment in another language can change them.</summary>
public sealed class SnapshotLabels
{
    public string Category { get; set; } = "类别:";

    public string Published { get; set; } = "发布时间:";

    public string Publisher { get; set; } = "来源:";

    public string Author { get; set; } = "作者:";

    public string Keywords { get; set; } = "关键词:";

    public string GeneratedAt { get; set; } = "快照生成时间:";

    public string OriginalUrl { get; set; } = "信息原文地址:";

    public string KeywordSeparator { get; set; } = "、";
}

/// <summary>The data annotations above, checked by generated code (no reflection in the compiled-ahead worker).</summary>
[OptionsValidator]
internal sealed partial class SnapshotOptionsValidator : IValidateOptions<SnapshotOptions>;
