using Ledsag.Domain.Standards;
using NodaTime;

namespace Ledsag.Domain.Hours;

/// <summary>
/// A savings agreement (aftale om opsparing, BEK 235/2012 § 6 stk. 1), both days included, made on
/// <see cref="Agreed"/> (default <see cref="From"/>).
/// </summary>
/// <remarks>
/// Saving is by prior agreement (stk. 1: «efter aftale»): the agreement covers only allotments whose
/// month's last day is on or after the day it was made, so a back-dated <see cref="From"/> never revives
/// hours that had already lapsed when it was made.
/// </remarks>
public sealed record SavingsAgreement(LocalDate From, LocalDate To, LocalDate? AgreedOn = null)
{
    /// <summary>The day the agreement was made.</summary>
    public LocalDate Agreed => AgreedOn ?? From;

    /// <summary>True when the month ending on <paramref name="monthEnd"/> is saved under the agreement.</summary>
    public bool Covers(LocalDate monthEnd) => From <= monthEnd && monthEnd <= To && monthEnd >= Agreed;
}

/// <summary>Hours a month from a day: a grant that replaced an earlier one keeps the earlier one's figures for its months.</summary>
/// <param name="From">The first day the figure applies.</param>
/// <param name="Hours">The monthly allotment from then.</param>
public sealed record HoursPeriod(LocalDate From, Minutes Hours);

/// <summary>A grant (bevilling) of companion hours as the ledger needs it.</summary>
public sealed record Grant
{
    /// <summary>A grant from <paramref name="start"/> to <paramref name="end"/> (open when null).</summary>
    /// <param name="start">The first day in force (of the first grant, when this one replaced others).</param>
    /// <param name="end">The last day, or null.</param>
    /// <param name="hoursPerMonth">The monthly allotment (from the last of <paramref name="earlier"/> on).</param>
    /// <param name="savings">The savings agreements.</param>
    /// <param name="earlier">
    /// When this grant replaced earlier ones on the same matter, the figures they gave and from when; the ledger
    /// runs on over the whole chain, so saved hours and sessions stay whole. A month's allotment is the figure in
    /// force on its last day.
    /// </param>
    /// <param name="currentFrom">The day <paramref name="hoursPerMonth"/> applies from (this grant's own start), with <paramref name="earlier"/>.</param>
    public Grant(LocalDate start, LocalDate? end, Minutes hoursPerMonth, IReadOnlyList<SavingsAgreement>? savings = null, IReadOnlyList<HoursPeriod>? earlier = null,
        LocalDate? currentFrom = null)
    {
        if (end is { } e && e < start)
        {
            throw new ArgumentException("A grant cannot end before it starts.", nameof(end));
        }
        if (hoursPerMonth.Value < 0)
        {
            throw new ArgumentException("Hours a month cannot be negative.", nameof(hoursPerMonth));
        }
        if (savings?.Any(a => a.To < a.From) == true)
        {
            throw new ArgumentException("A savings agreement cannot end before it starts.", nameof(savings));
        }
        Start = start;
        End = end;
        HoursPerMonth = hoursPerMonth;
        Savings = savings ?? [];
        Earlier = earlier ?? [];
        CurrentFrom = currentFrom ?? start;
    }

    /// <summary>The day <see cref="HoursPerMonth"/> applies from.</summary>
    public LocalDate CurrentFrom { get; }

    /// <summary>Earlier figures of a replaced grant, in date order (empty for most grants).</summary>
    public IReadOnlyList<HoursPeriod> Earlier { get; }

    /// <summary>The allotment of the month ending on <paramref name="monthEnd"/>.</summary>
    public Minutes HoursForMonthEnding(LocalDate monthEnd)
    {
        if (Earlier.Count == 0)
        {
            return HoursPerMonth;
        }
        if (monthEnd >= CurrentFrom)
        {
            return HoursPerMonth;
        }
        // The figure in force on the month's last day: the last earlier period started by then.
        for (var i = Earlier.Count - 1; i > 0; i--)
        {
            if (Earlier[i].From <= monthEnd)
            {
                return Earlier[i].Hours;
            }
        }
        return Earlier[0].Hours;
    }

    /// <summary>The first day the grant is in force.</summary>
    public LocalDate Start { get; }

    /// <summary>The last day, or null while it runs.</summary>
    public LocalDate? End { get; }

    /// <summary>The monthly allotment.</summary>
    public Minutes HoursPerMonth { get; }

    /// <summary>The savings agreements made under the grant.</summary>
    public IReadOnlyList<SavingsAgreement> Savings { get; }

    /// <summary>True when the grant is in force on <paramref name="date"/>.</summary>
    public bool InForce(LocalDate date) => date >= Start && (End is null || date <= End);
}

/// <summary>How saved hours are drawn.</summary>
public enum DrawingOrder
{
    /// <summary>The allotment closest to lapsing first (the oldest).</summary>
    OldestFirst,
    /// <summary>The current month's allotment first, then the oldest saved (Lejre).</summary>
    CurrentFirst,
}

/// <summary>The standard's ledger rules in force from a day.</summary>
/// <param name="From">The day these rules take effect.</param>
/// <param name="Order">The drawing order.</param>
/// <param name="SavingsRequireAgreement">Whether an allotment is saved only inside a savings agreement.</param>
/// <param name="ValidityMonths">Months a saved allotment is usable, its own included (6).</param>
public sealed record LedgerRules(LocalDate From, DrawingOrder Order, bool SavingsRequireAgreement, int ValidityMonths)
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<MunicipalStandard, LedgerRules[]> Timelines = [];

    /// <summary>The ledger rules of a standard over time, one entry per day any of them changes.</summary>
    /// <remarks>A standard never changes once loaded, so its timeline is worked out once (every ledger replay asks).</remarks>
    public static IReadOnlyList<LedgerRules> Timeline(MunicipalStandard standard) => Timelines.GetValue(standard, Build);

    private static LedgerRules[] Build(MunicipalStandard standard)
    {
        var dates = standard.EffectiveDates;
        var list = new List<LedgerRules>();
        foreach (var date in dates.Count == 0 ? [new LocalDate(1900, 1, 1)] : dates)
        {
            var rules = new LedgerRules(date,
                standard.Get<string>(Parameters.SavingsDrawingOrder, date).Value == Parameters.DrawingOrders.CurrentFirst
                    ? DrawingOrder.CurrentFirst : DrawingOrder.OldestFirst,
                standard.Get<bool>(Parameters.SavingsRequiresAgreement, date).Value,
                standard.Get<int>(Parameters.SavingsValidityMonths, date).Value);
            if (list.Count == 0 || list[^1] with { From = date } != rules)
            {
                list.Add(rules);
            }
        }
        return [.. list];
    }

    /// <summary>The rules in force on <paramref name="date"/> (the first ones before any took effect).</summary>
    public static LedgerRules At(IReadOnlyList<LedgerRules> timeline, LocalDate date)
    {
        var chosen = timeline[0];
        for (var i = 1; i < timeline.Count && timeline[i].From <= date; i++)
        {
            chosen = timeline[i];
        }
        return chosen;
    }
}
