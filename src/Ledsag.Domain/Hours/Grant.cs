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

/// <summary>A grant (bevilling) of companion hours as the ledger needs it.</summary>
public sealed record Grant
{
    /// <summary>A grant from <paramref name="start"/> to <paramref name="end"/> (open when null).</summary>
    public Grant(LocalDate start, LocalDate? end, Minutes hoursPerMonth, IReadOnlyList<SavingsAgreement>? savings = null)
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
