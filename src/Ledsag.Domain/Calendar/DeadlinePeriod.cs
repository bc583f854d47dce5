using System.Globalization;
using System.Text.RegularExpressions;

namespace Ledsag.Domain.Calendar;

/// <summary>The unit of a <see cref="DeadlinePeriod"/>, as the quality standards write it.</summary>
public enum PeriodUnit
{
    /// <summary>"N dage": N calendar days.</summary>
    Days,
    /// <summary>"N hverdage": the N-th working day after the event.</summary>
    WorkingDays,
    /// <summary>"N uger": the same weekday N weeks later.</summary>
    Weeks,
    /// <summary>"N måneder": the same day N months later (the month's last day where it has none).</summary>
    Months,
    /// <summary>"N år": the same day N years later.</summary>
    Years,
}

/// <summary>A deadline period such as "8 uger" or "40 hverdage".</summary>
public sealed partial record DeadlinePeriod(int Count, PeriodUnit Unit)
{
    /// <summary>Parses the Danish wording used in the standards ("8 uger", "14 dage", "40 hverdage", "6 måneder", "1 år").</summary>
    public static bool TryParse(string text, out DeadlinePeriod? period)
    {
        period = null;
        var m = PeriodPattern().Match(text.Trim());
        if (!m.Success || !int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0)
        {
            return false;
        }
        PeriodUnit? unit = m.Groups[2].Value.ToLowerInvariant() switch
        {
            "dag" or "dage" => PeriodUnit.Days,
            "hverdag" or "hverdage" => PeriodUnit.WorkingDays,
            "uge" or "uger" => PeriodUnit.Weeks,
            "måned" or "måneder" => PeriodUnit.Months,
            "år" => PeriodUnit.Years,
            _ => null,
        };
        if (unit is null)
        {
            return false;
        }
        period = new DeadlinePeriod(n, unit.Value);
        return true;
    }

    /// <summary>The period in the standards' Danish wording.</summary>
    public override string ToString() => (Count, Unit) switch
    {
        (1, PeriodUnit.Days) => "1 dag",
        (_, PeriodUnit.Days) => $"{Count} dage",
        (1, PeriodUnit.WorkingDays) => "1 hverdag",
        (_, PeriodUnit.WorkingDays) => $"{Count} hverdage",
        (1, PeriodUnit.Weeks) => "1 uge",
        (_, PeriodUnit.Weeks) => $"{Count} uger",
        (1, PeriodUnit.Months) => "1 måned",
        (_, PeriodUnit.Months) => $"{Count} måneder",
        _ => $"{Count} år",
    };

    [GeneratedRegex(@"^(\d+)\s+(\p{L}+)$")]
    private static partial Regex PeriodPattern();
}
