using System.Globalization;

namespace Ledsag.Domain;

/// <summary>
/// A duration of companion time in whole minutes. Hours are never floating point: the law
/// counts hours, and a whole number of minutes is the finest unit a timesheet records.
/// </summary>
public readonly record struct Minutes(int Value) : IComparable<Minutes>
{
    /// <summary>No time.</summary>
    public static readonly Minutes Zero = new(0);

    /// <summary>Whole hours.</summary>
    public static Minutes FromHours(int hours) => new(checked(hours * 60));

    /// <summary>Decimal hours that must be a whole number of minutes.</summary>
    public static Minutes FromHours(decimal hours)
    {
        var m = hours * 60m;
        if (m != decimal.Truncate(m))
        {
            throw new ArgumentException($"{hours} hours is not a whole number of minutes", nameof(hours));
        }
        return new Minutes((int)m);
    }

    /// <summary>The duration in hours (exact, as decimal).</summary>
    public decimal Hours => Value / 60m;

    /// <inheritdoc />
    public int CompareTo(Minutes other) => Value.CompareTo(other.Value);

    /// <summary>Sum.</summary>
    public static Minutes operator +(Minutes a, Minutes b) => new(checked(a.Value + b.Value));

    /// <summary>Difference.</summary>
    public static Minutes operator -(Minutes a, Minutes b) => new(checked(a.Value - b.Value));

    /// <summary>Comparison.</summary>
    public static bool operator <(Minutes a, Minutes b) => a.Value < b.Value;

    /// <summary>Comparison.</summary>
    public static bool operator >(Minutes a, Minutes b) => a.Value > b.Value;

    /// <summary>Comparison.</summary>
    public static bool operator <=(Minutes a, Minutes b) => a.Value <= b.Value;

    /// <summary>Comparison.</summary>
    public static bool operator >=(Minutes a, Minutes b) => a.Value >= b.Value;

    /// <summary>The smaller of two.</summary>
    public static Minutes Min(Minutes a, Minutes b) => a.Value <= b.Value ? a : b;

    /// <summary>Hours as people write them: <c>7.5</c>, <c>15</c>.</summary>
    public override string ToString() => Hours.ToString("0.##", CultureInfo.InvariantCulture);
}
