using System.Collections.Concurrent;
using NodaTime;

namespace Ledsag.Domain.Calendar;

/// <summary>
/// A public holiday or a day public offices close, as data: a fixed day of the year or an
/// offset from Easter Sunday, optionally only in some years (store bededag ends with 2023).
/// </summary>
public sealed record HolidayRule(string Name, int? Month, int? Day, int? EasterOffset, int? FromYear, int? ToYear, string Source)
{
    /// <summary>The rule's date in <paramref name="year"/>, or null when it does not apply that year.</summary>
    public LocalDate? DateIn(int year)
    {
        if ((FromYear is { } f && year < f) || (ToYear is { } t && year > t))
        {
            return null;
        }
        return EasterOffset is { } offset
            ? WorkingDayCalendar.EasterSunday(year).PlusDays(offset)
            : new LocalDate(year, Month!.Value, Day!.Value);
    }
}

/// <summary>
/// Danish working days: Monday to Friday except public holidays and the days public offices close
/// (grundlovsdag, 24 and 31 December). Holidays are computed per year from <see cref="HolidayRule"/>s.
/// </summary>
public sealed class WorkingDayCalendar
{
    private readonly IReadOnlyList<HolidayRule> _rules;
    private readonly ConcurrentDictionary<int, IReadOnlyDictionary<LocalDate, HolidayRule>> _byYear = new();

    /// <summary>A calendar from holiday and closed-day rules.</summary>
    public WorkingDayCalendar(IReadOnlyList<HolidayRule> rules) => _rules = rules;

    /// <summary>The rules the calendar uses.</summary>
    public IReadOnlyList<HolidayRule> Rules => _rules;

    /// <summary>Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm, "Meeus/Jones/Butcher").</summary>
    public static LocalDate EasterSunday(int year)
    {
        int a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4;
        int f = (b + 8) / 25, g = (b - f + 1) / 3, h = ((19 * a) + b - d - g + 15) % 30;
        int i = c / 4, k = c % 4, l = (32 + (2 * e) + (2 * i) - h - k) % 7;
        int m = (a + (11 * h) + (22 * l)) / 451;
        int month = (h + l - (7 * m) + 114) / 31, day = ((h + l - (7 * m) + 114) % 31) + 1;
        return new LocalDate(year, month, day);
    }

    /// <summary>The holidays and closed days of a year, by date.</summary>
    public IReadOnlyDictionary<LocalDate, HolidayRule> HolidaysIn(int year) =>
        _byYear.GetOrAdd(year, y =>
        {
            var map = new Dictionary<LocalDate, HolidayRule>();
            foreach (var rule in _rules)
            {
                if (rule.DateIn(y) is { } date)
                {
                    map.TryAdd(date, rule);
                }
            }
            return map;
        });

    /// <summary>The holiday or closed day on <paramref name="date"/>, if any.</summary>
    public HolidayRule? HolidayOn(LocalDate date) =>
        HolidaysIn(date.Year).TryGetValue(date, out var rule) ? rule : null;

    /// <summary>True on Monday–Friday that is no holiday or closed day.</summary>
    public bool IsWorkingDay(LocalDate date) =>
        date.DayOfWeek is not (IsoDayOfWeek.Saturday or IsoDayOfWeek.Sunday) && HolidayOn(date) is null;

    /// <summary>The date itself when it is a working day, otherwise the next working day.</summary>
    public LocalDate RollForward(LocalDate date)
    {
        while (!IsWorkingDay(date))
        {
            date = date.PlusDays(1);
        }
        return date;
    }

    /// <summary>The <paramref name="n"/>-th working day after <paramref name="date"/>.</summary>
    public LocalDate AddWorkingDays(LocalDate date, int n)
    {
        for (var counted = 0; counted < n;)
        {
            date = date.PlusDays(1);
            if (IsWorkingDay(date))
            {
                counted++;
            }
        }
        return date;
    }

    /// <summary>
    /// The raw end of a period starting on <paramref name="date"/>, before any roll to a working day.
    /// </summary>
    public LocalDate Add(LocalDate date, DeadlinePeriod period) => period.Unit switch
    {
        PeriodUnit.Days => date.PlusDays(period.Count),
        PeriodUnit.WorkingDays => AddWorkingDays(date, period.Count),
        PeriodUnit.Weeks => date.PlusWeeks(period.Count),
        PeriodUnit.Months => date.PlusMonths(period.Count),
        PeriodUnit.Years => date.PlusYears(period.Count),
        _ => throw new ArgumentOutOfRangeException(nameof(period)),
    };

    /// <summary>
    /// The due date of a period starting on <paramref name="date"/>: its end, moved to the next
    /// working day when it falls on a day that is not one (forældelsesloven § 27 stk. 2).
    /// </summary>
    public LocalDate DueDate(LocalDate date, DeadlinePeriod period) => RollForward(Add(date, period));
}
