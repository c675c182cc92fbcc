using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Crawler.Storage;

/// <summary>
/// What <c>[Range(typeof(TimeSpan), min, max)]</c> checked, without its TypeConverter lookup, which trimming cannot follow: the
/// same bounds (inclusive, "c" format) and the same message.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter)]
public sealed class TimeSpanRangeAttribute : ValidationAttribute
{
    public TimeSpanRangeAttribute(string minimum, string maximum)
        : base("The field {0} must be between {1} and {2}.")
    {
        Minimum = TimeSpan.Parse(minimum, CultureInfo.InvariantCulture);
        Maximum = TimeSpan.Parse(maximum, CultureInfo.InvariantCulture);
    }

    public TimeSpan Minimum { get; }

    public TimeSpan Maximum { get; }

    // like RangeAttribute, an absent value is [Required]'s business
    public override bool IsValid(object? value) => value is null || (value is TimeSpan t && t >= Minimum && t <= Maximum);

    public override string FormatErrorMessage(string name) =>
        string.Format(CultureInfo.CurrentCulture, ErrorMessageString, name, Minimum, Maximum);
}
