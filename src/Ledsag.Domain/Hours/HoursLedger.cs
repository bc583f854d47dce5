using NodaTime;

namespace Ledsag.Domain.Hours;

/// <summary>The outcome of registering a session against the ledger.</summary>
/// <param name="Accepted">True when the session was booked whole.</param>
/// <param name="Reason">The rejection code (<see cref="ReasonCodes"/>) when not accepted.</param>
public readonly record struct SessionOutcome(bool Accepted, string? Reason)
{
    /// <summary>Booked.</summary>
    public static readonly SessionOutcome Ok = new(true, null);

    /// <summary>Rejected with a reason; nothing changed.</summary>
    public static SessionOutcome Rejected(string reason) => new(false, reason);
}

/// <summary>Hours that lapse at the end of a day.</summary>
public sealed record Lapse(LocalDate Date, Minutes Hours);

/// <summary>The ledger at the end of a day.</summary>
/// <param name="Date">The day.</param>
/// <param name="Available">Hours that may still be used that day.</param>
/// <param name="CurrentMonth">Left of this month's allotment.</param>
/// <param name="Saved">Left of earlier months' allotments, still valid that day.</param>
/// <param name="LapsedTotal">Hours lost to lapse since the grant started.</param>
/// <param name="UsedTotal">Hours used since the grant started.</param>
/// <param name="AllottedTotal">Hours allotted since the grant started.</param>
/// <param name="NextLapse">The earliest lapse still ahead, or null.</param>
public sealed record Balance(LocalDate Date, Minutes Available, Minutes CurrentMonth, Minutes Saved, Minutes LapsedTotal,
    Minutes UsedTotal, Minutes AllottedTotal, Lapse? NextLapse);

/// <summary>
/// The hours ledger of one grant (SEL § 97 stk. 1 and 6, BEK 235/2012 § 6): one allotment per
/// calendar month the grant is in force, usable in its month or — when saved — through the fifth
/// month after; no use in advance; sessions accepted whole or rejected whole; what is left lapses
/// at the grant's end. Posted draws are never edited: a balance on any day is computed from them.
/// </summary>
public sealed class HoursLedger
{
    private readonly Grant _grant;
    private readonly IReadOnlyList<LedgerRules> _rules;
    private readonly YearMonth _firstMonth;
    private readonly int _lookBack;
    private readonly List<Allotment> _allotments = [];
    private readonly List<Draw> _draws = [];
    private int _lastSession = int.MinValue;
    private readonly int _start;
    private readonly int _end;
    private readonly int[] _ruleFrom;

    // Dates inside the ledger are ordered integers (year, month and day packed), so the hot path
    // compares ints instead of calendar-checked LocalDates.
    private static int Key(LocalDate d) => (d.Year << 9) | (d.Month << 5) | d.Day;

    private static LocalDate FromKey(int key) => new(key >> 9, (key >> 5) & 15, key & 31);

    // Allotment i belongs to the i-th month from the grant's first; it lapses at the end of ExpiryKey's day.
    private struct Allotment
    {
        public int Amount;
        public int Remaining;
        public int ExpiryKey;
    }

    private readonly record struct Draw(int Date, int Allotment, int Minutes);

    /// <summary>A ledger for <paramref name="grant"/> under a standard's ledger rules over time.</summary>
    public HoursLedger(Grant grant, IReadOnlyList<LedgerRules> rules)
    {
        if (rules.Count == 0)
        {
            throw new ArgumentException("At least one set of ledger rules is needed.", nameof(rules));
        }
        _grant = grant;
        _rules = rules;
        _firstMonth = grant.Start.ToYearMonth();
        _lookBack = rules.Max(r => r.ValidityMonths) - 1;
        _start = Key(grant.Start);
        _end = grant.End is { } e ? Key(e) : int.MaxValue;
        _ruleFrom = [.. rules.Select(r => Key(r.From))];
    }

    /// <summary>The grant.</summary>
    public Grant Grant => _grant;

    /// <summary>
    /// An independent copy: booking on it leaves this ledger as it was. A server keeps replayed ledgers
    /// and hands out copies, since even reading a ledger may extend its months.
    /// </summary>
    public HoursLedger Clone()
    {
        var copy = new HoursLedger(_grant, _rules) { _lastSession = _lastSession };
        copy._allotments.AddRange(_allotments);
        copy._draws.AddRange(_draws);
        return copy;
    }

    /// <summary>
    /// Books a session of <paramref name="minutes"/> on <paramref name="date"/>, whole or not at all.
    /// Sessions are booked in date order; an earlier date is a programming error (replay instead).
    /// </summary>
    public SessionOutcome Use(LocalDate date, Minutes minutes)
    {
        var day = Key(date);
        if (day < _lastSession)
        {
            throw new InvalidOperationException($"Sessions must be booked in date order ({date} after an earlier booking); replay the ledger.");
        }
        if (minutes.Value <= 0)
        {
            return SessionOutcome.Rejected(ReasonCodes.InvalidDuration);
        }
        if (day < _start || day > _end)
        {
            return SessionOutcome.Rejected(ReasonCodes.OutsideGrant);
        }
        var current = EnsureAllotments(date.Year, date.Month);
        var first = FirstUsable(current);
        // One pass finds what is available and the allotment closest to lapsing.
        var available = 0;
        var oldest = -1;
        var oldestExpiry = int.MaxValue;
        var allotments = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_allotments);
        for (var i = first; i <= current; i++)
        {
            ref readonly var a = ref allotments[i];
            if (a.Remaining > 0 && a.ExpiryKey >= day)
            {
                available += a.Remaining;
                if (a.ExpiryKey < oldestExpiry)
                {
                    oldest = i;
                    oldestExpiry = a.ExpiryKey;
                }
            }
        }
        if (available < minutes.Value)
        {
            return SessionOutcome.Rejected(ReasonCodes.ExceedsBalance);
        }

        _lastSession = day;
        var left = minutes.Value;
        // Lejre: "Du skal dog bruge den igangværende måneds timer inden du kan benytte dine opsparede timer".
        if (OrderOn(date, day) == DrawingOrder.CurrentFirst)
        {
            left = Take(current, day, left);
        }
        else
        {
            left = Take(oldest, day, left);
        }
        while (left > 0)
        {
            left = Take(ClosestToLapsing(first, current, day), day, left);
        }
        return SessionOutcome.Ok;
    }

    /// <summary>The ledger at the end of <paramref name="date"/>, after every session dated on or before it.</summary>
    public Balance BalanceAt(LocalDate date)
    {
        var lastMonth = date.ToYearMonth();
        if (_grant.End is { } end && lastMonth > end.ToYearMonth())
        {
            lastMonth = end.ToYearMonth();
        }
        var count = date < _grant.Start ? 0 : EnsureAllotments(lastMonth) + 1;
        var remaining = new int[count];
        int allotted = 0, used = 0;
        for (var i = 0; i < count; i++)
        {
            remaining[i] = _allotments[i].Amount;
            allotted += _allotments[i].Amount;
        }
        var until = Key(date);
        foreach (var d in _draws)
        {
            if (d.Date <= until)
            {
                remaining[d.Allotment] -= d.Minutes;
                used += d.Minutes;
            }
        }

        int current = 0, saved = 0, lapsed = 0;
        var nextHours = 0;
        var inForce = _grant.InForce(date);
        var thisMonth = MonthIndex(date.Year, date.Month);
        var nextKey = int.MaxValue;
        for (var i = 0; i < count; i++)
        {
            var a = _allotments[i];
            if (a.ExpiryKey < until)
            {
                lapsed += remaining[i];
                continue;
            }
            if (!inForce)
            {
                continue;
            }
            if (i == thisMonth)
            {
                current += remaining[i];
            }
            else
            {
                saved += remaining[i];
            }
            if (remaining[i] > 0 && a.ExpiryKey <= nextKey)
            {
                nextHours = a.ExpiryKey == nextKey ? nextHours + remaining[i] : remaining[i];
                nextKey = a.ExpiryKey;
            }
        }
        return new Balance(date, new Minutes(current + saved), new Minutes(current), new Minutes(saved), new Minutes(lapsed),
            new Minutes(used), new Minutes(allotted), nextKey != int.MaxValue ? new Lapse(FromKey(nextKey), new Minutes(nextHours)) : null);
    }

    /// <summary>
    /// What lapses when, counted from the end of <paramref name="date"/> if nothing more is used:
    /// every allotment granted so far that still has hours, grouped by the day they lapse.
    /// </summary>
    public IReadOnlyList<Lapse> Forecast(LocalDate date)
    {
        var balance = BalanceAt(date);
        if (balance.Available.Value == 0)
        {
            return [];
        }
        var last = EnsureAllotments(date.ToYearMonth());
        var remaining = new Dictionary<int, int>();
        var until = Key(date);
        var drawn = new int[last + 1];
        foreach (var d in _draws)
        {
            if (d.Date <= until && d.Allotment <= last)
            {
                drawn[d.Allotment] += d.Minutes;
            }
        }
        for (var i = 0; i <= last; i++)
        {
            var left = _allotments[i].Amount - drawn[i];
            if (left > 0 && _allotments[i].ExpiryKey >= until)
            {
                remaining[_allotments[i].ExpiryKey] = remaining.GetValueOrDefault(_allotments[i].ExpiryKey) + left;
            }
        }
        return remaining.OrderBy(kv => kv.Key).Select(kv => new Lapse(FromKey(kv.Key), new Minutes(kv.Value))).ToList();
    }

    // The allotment index of `month`, creating allotments up to it. One allotment per calendar month
    // in which the grant is in force on at least one day, whole also in the first and last month.
    private int EnsureAllotments(YearMonth month) => EnsureAllotments(month.Year, month.Month);

    private int MonthIndex(int year, int month) => ((year - _firstMonth.Year) * 12) + month - _firstMonth.Month;

    private int EnsureAllotments(int year, int month)
    {
        var index = MonthIndex(year, month);
        while (_allotments.Count <= index)
        {
            // Month arithmetic on ints and packed day keys: this runs once per month of every grant replayed.
            var n = _firstMonth.Month - 1 + _allotments.Count;
            var (y, mo) = (_firstMonth.Year + (n / 12), (n % 12) + 1);
            var monthEnd = EndOfMonthKey(y, mo);
            var rules = _rules[RulesAt(monthEnd)];
            // BEK 235/2012 § 6 stk. 1: saved hours are usable "inden for en periode på 6 måneder".
            var saved = !rules.SavingsRequireAgreement || Covered(FromKey(monthEnd));
            var last = n + rules.ValidityMonths - 1;
            var expiry = saved ? EndOfMonthKey(_firstMonth.Year + (last / 12), (last % 12) + 1) : monthEnd;
            // A grant that replaced an earlier one keeps the earlier figures for its months (rare: the plain case stays on ints).
            var amount = _grant.Earlier.Count == 0 ? _grant.HoursPerMonth.Value : _grant.HoursForMonthEnding(FromKey(monthEnd)).Value;
            _allotments.Add(new Allotment
            {
                Amount = amount,
                Remaining = amount,
                ExpiryKey = Math.Min(expiry, _end),
            });
        }
        return index;
    }

    private static int EndOfMonthKey(int year, int month) => (year << 9) | (month << 5) | DateTime.DaysInMonth(year, month);

    // The index of the rules in force on the day `key` (the first ones before any took effect).
    private int RulesAt(int key)
    {
        var chosen = 0;
        for (var i = 1; i < _ruleFrom.Length && _ruleFrom[i] <= key; i++)
        {
            chosen = i;
        }
        return chosen;
    }

    private bool Covered(LocalDate date)
    {
        foreach (var a in _grant.Savings)
        {
            if (a.Covers(date))
            {
                return true;
            }
        }
        return false;
    }

    // An allotment is usable at most ValidityMonths months, its own included: older ones are spent or lapsed.
    private int FirstUsable(int current) => Math.Max(0, current - _lookBack);

    private int ClosestToLapsing(int first, int current, int day)
    {
        var allotments = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_allotments);
        var best = -1;
        for (var i = first; i <= current; i++)
        {
            ref readonly var a = ref allotments[i];
            if (a.Remaining > 0 && a.ExpiryKey >= day && (best < 0 || a.ExpiryKey < allotments[best].ExpiryKey))
            {
                best = i;
            }
        }
        return best;
    }

    private int Take(int index, int day, int wanted)
    {
        ref var a = ref System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_allotments)[index];
        var take = Math.Min(a.Remaining, wanted);
        if (take > 0)
        {
            a.Remaining -= take;
            _draws.Add(new Draw(day, index, take));
        }
        return wanted - take;
    }

    // The drawing order in force on `date`. Rules change on a handful of dates, and sessions come in
    // date order, so the last answer is kept with the span of dates it holds for.
    private DrawingOrder OrderOn(LocalDate date, int day)
    {
        if (day >= _orderFrom && day < _orderUntil)
        {
            return _order;
        }
        var index = 0;
        for (var i = 1; i < _rules.Count && _rules[i].From <= date; i++)
        {
            index = i;
        }
        _order = _rules[index].Order;
        _orderFrom = index == 0 ? int.MinValue : Key(_rules[index].From);
        _orderUntil = index + 1 < _rules.Count ? Key(_rules[index + 1].From) : int.MaxValue;
        return _order;
    }

    private DrawingOrder _order;
    private int _orderFrom = int.MaxValue;
    private int _orderUntil = int.MinValue;


}
