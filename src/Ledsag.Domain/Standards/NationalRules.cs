using Ledsag.Domain.Calendar;
using NodaTime;

namespace Ledsag.Domain.Standards;

/// <summary>
/// The national base every municipality's standard builds on: the law's parameters, the age-limit
/// table, the § 97 stk. 7 amounts, the state's km rates, holidays and the reason catalogue.
/// </summary>
public sealed class NationalRules
{
    internal NationalRules(
        string file,
        Effective<int> adultAge,
        Effective<int> minimumAgeLimit,
        IReadOnlyList<PensionAgeRow> pensionAges,
        IReadOnlyList<SubsidyAmount> subsidyAmounts,
        IReadOnlyList<KmRate> kmRates,
        WorkingDayCalendar calendar,
        IReadOnlyDictionary<string, ReasonInfo> reasons,
        IReadOnlyDictionary<string, ActivityInfo> activities,
        IReadOnlyDictionary<string, IReadOnlyList<DatedValue>> parameters)
    {
        File = file;
        AdultAge = adultAge;
        MinimumAgeLimit = minimumAgeLimit;
        PensionAges = pensionAges;
        SubsidyAmounts = subsidyAmounts;
        KmRates = kmRates;
        Calendar = calendar;
        Reasons = reasons;
        Activities = activities;
        Parameters = parameters;
    }

    /// <summary>The file the rules came from.</summary>
    public string File { get; }

    /// <summary>The age from which § 97 applies (adults; younger people are under barnets lov).</summary>
    public Effective<int> AdultAge { get; }

    /// <summary>The § 97 age limit is never below this (67).</summary>
    public Effective<int> MinimumAgeLimit { get; }

    /// <summary>Folkepensionsalder by birth date.</summary>
    public IReadOnlyList<PensionAgeRow> PensionAges { get; }

    /// <summary>The § 97 stk. 7 amounts by year.</summary>
    public IReadOnlyList<SubsidyAmount> SubsidyAmounts { get; }

    /// <summary>The state's low km rates.</summary>
    public IReadOnlyList<KmRate> KmRates { get; }

    /// <summary>Working days, holidays and closed days.</summary>
    public WorkingDayCalendar Calendar { get; }

    /// <summary>Every reason code's text and source.</summary>
    public IReadOnlyDictionary<string, ReasonInfo> Reasons { get; }

    /// <summary>The activity categories.</summary>
    public IReadOnlyDictionary<string, ActivityInfo> Activities { get; }

    /// <summary>The national parameters, each a list of dated values in order.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<DatedValue>> Parameters { get; }

    /// <summary>
    /// The day a person born on <paramref name="birth"/> reaches the § 97 age limit:
    /// max(folkepensionsalder, 67) (SEL § 97 stk. 1, pensionsloven § 1 a).
    /// </summary>
    public (LocalDate Date, PensionAgeRow Row) AgeLimitDate(LocalDate birth)
    {
        var row = PensionAges.FirstOrDefault(r => r.Covers(birth))
                  ?? throw new MissingRateException($"Folkepensionsalderen for personer født {birth:yyyy-MM-dd}");
        var pensionDate = birth.PlusYears(row.Years).PlusMonths(row.Months);
        var minimumDate = birth.PlusYears(MinimumAgeLimit.Value);
        return (pensionDate > minimumDate ? pensionDate : minimumDate, row);
    }

    /// <summary>The § 97 stk. 7 amount for <paramref name="year"/>, or null where it is not known.</summary>
    public SubsidyAmount? SubsidyMax(int year) => SubsidyAmounts.FirstOrDefault(a => a.Year == year);

    /// <summary>The § 97 stk. 7 amount for <paramref name="year"/>; a missing amount is an error that names it.</summary>
    public SubsidyAmount RequireSubsidyMax(int year) =>
        SubsidyMax(year) ?? throw new MissingRateException($"Beløbet efter § 97 stk. 7 for {year}");

    /// <summary>The state's low km rate in force on <paramref name="date"/>, or null where it is not known.</summary>
    public KmRate? KmRateOn(LocalDate date) => KmRates.FirstOrDefault(r => r.From <= date && date <= r.To);

    /// <summary>The km rate on <paramref name="date"/>; a missing rate is an error that names it.</summary>
    public KmRate RequireKmRate(LocalDate date) =>
        KmRateOn(date) ?? throw new MissingRateException($"Statens lave takst for kørselsgodtgørelse pr. {date:yyyy-MM-dd}");

    /// <summary>Kilometres × the rate in force that day, rounded to øre (half away from zero).</summary>
    public decimal MileageAmount(decimal km, LocalDate date) =>
        Math.Round(km * RequireKmRate(date).Rate, 2, MidpointRounding.AwayFromZero);
}
