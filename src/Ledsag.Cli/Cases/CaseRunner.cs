using System.Globalization;
using Ledsag.Domain.Deadlines;
using Ledsag.Domain.Eligibility;
using Ledsag.Domain.Explain;
using Ledsag.Domain.Hours;
using Ledsag.Domain.Standards;
using NodaTime;

namespace Ledsag.Cli.Cases;

/// <summary>The result of one case: its differences from what was expected, and the engine's trace.</summary>
public sealed record CaseResult(RuleCase Case, IReadOnlyList<string> Differences, IReadOnlyList<TraceStep> Trace)
{
    /// <summary>True when nothing differs.</summary>
    public bool Passed => Differences.Count == 0;
}

/// <summary>Runs rule cases through the real engine and compares every stated output.</summary>
public sealed class CaseRunner(StandardSet standards)
{
    /// <summary>Outputs are compared with a tolerance of 0.001 (hours, kroner).</summary>
    public const decimal Tolerance = 0.001m;

    /// <summary>Runs one case.</summary>
    public CaseResult Run(RuleCase c)
    {
        var standard = standards[c.Municipality];
        var actual = new Dictionary<string, object?>(StringComparer.Ordinal);
        var differences = new List<string>();
        var trace = new List<TraceStep>();
        switch (c)
        {
            case HoursCase h:
                RunHours(h, standard, actual, differences, trace);
                break;
            case EligibilityCase e:
                var r = EligibilityEngine.Recommend(standard, e.Date, e.BirthDate, e.Facts);
                actual["recommendation"] = r.Kind.ToString().ToLowerInvariant();
                actual["reasons"] = r.Reasons.Order(StringComparer.Ordinal).ToList();
                actual["hours_per_month"] = r.HoursPerMonth?.Hours;
                trace.AddRange(r.Trace);
                break;
            case DeadlineCase d:
                foreach (var result in DeadlineEngine.For(standard, d.Event, d.Date))
                {
                    actual[result.Name] = result.Due;
                    trace.AddRange(result.Trace);
                }
                break;
            case RatesCase rc:
                RunRates(rc, standard.National, actual, trace);
                break;
        }
        foreach (var ex in c.Expect)
        {
            var got = actual.GetValueOrDefault(ex.Key);
            if (!Same(ex.Value, got))
            {
                differences.Add($"{ex.Key}: forventet {Show(ex.Value)}, fik {Show(got)}");
            }
        }
        return new CaseResult(c, differences, trace);
    }

    private static void RunHours(HoursCase h, MunicipalStandard standard, Dictionary<string, object?> actual, List<string> differences, List<TraceStep> trace)
    {
        var ledger = new HoursLedger(h.Grant, LedgerRules.Timeline(standard));
        trace.AddRange(LedgerTrace.Describe(standard, h.Grant));
        foreach (var u in h.Usage)
        {
            var outcome = ledger.Use(u.Date, u.Minutes);
            var shown = outcome.Accepted ? "accepted" : $"rejected {outcome.Reason}";
            trace.Add(new TraceStep("SESSION", $"{u.Date:yyyy-MM-dd} {u.Minutes} timer: {shown}",
                outcome.Reason is { } code ? standard.National.Reasons[code].Source : "SEL § 97 stk. 1 og 6; BEK 235/2012 § 6"));
            if (outcome.Accepted != u.ExpectAccepted || (u.ExpectReason is not null && u.ExpectReason != outcome.Reason))
            {
                var expected = u.ExpectAccepted ? "accepted" : $"rejected {u.ExpectReason}".TrimEnd();
                differences.Add($"usage {u.Date:yyyy-MM-dd} ({u.Minutes} timer, linje {u.Line}): forventet {expected}, fik {shown}");
            }
        }
        foreach (var date in h.Expect.Select(e => e.Key).Where(k => k.StartsWith("balances[", StringComparison.Ordinal))
                     .Select(k => k[9..19]).Distinct())
        {
            var b = ledger.BalanceAt(NodaTime.Text.LocalDatePattern.Iso.Parse(date).Value);
            var prefix = $"balances[{date}].";
            actual[prefix + "available"] = b.Available.Hours;
            actual[prefix + "current_month"] = b.CurrentMonth.Hours;
            actual[prefix + "saved"] = b.Saved.Hours;
            actual[prefix + "lapsed_total"] = b.LapsedTotal.Hours;
            actual[prefix + "used_total"] = b.UsedTotal.Hours;
            actual[prefix + "next_lapse"] = b.NextLapse is { } l ? new ExpectedLapse(l.Date, l.Hours.Hours) : null;
            trace.Add(new TraceStep("BALANCE",
                $"{date}: til rådighed {b.Available}, denne måned {b.CurrentMonth}, opsparet {b.Saved}, brugt {b.UsedTotal}, bortfaldet {b.LapsedTotal}" +
                (b.NextLapse is { } n ? $", næste bortfald {n.Hours} timer {n.Date:yyyy-MM-dd}" : ", intet bortfald forude"),
                "SEL § 97 stk. 6; BEK 235/2012 § 6 stk. 1"));
        }
    }

    private static void RunRates(RatesCase rc, NationalRules national, Dictionary<string, object?> actual, List<TraceStep> trace)
    {
        var subsidy = national.SubsidyMax(rc.Date.Year);
        actual["subsidy_max"] = subsidy?.Amount;
        trace.Add(subsidy is null
            ? new TraceStep("SUBSIDY_MAX", $"beløbet for {rc.Date.Year} er ikke registreret (en administrator skal indtaste det)", "SEL § 97 stk. 7")
            : new TraceStep("SUBSIDY_MAX", $"{rc.Date.Year}: {subsidy.Amount} kr.", subsidy.Source));
        var rate = national.KmRateOn(rc.Date);
        actual["km_rate"] = rate?.Rate;
        trace.Add(rate is null
            ? new TraceStep("KM_RATE", $"statens lave takst pr. {rc.Date:yyyy-MM-dd} er ikke registreret", "Skatterådets satser")
            : new TraceStep("KM_RATE", $"{rate.Rate} kr./km ({rate.From:yyyy-MM-dd}–{rate.To:yyyy-MM-dd})", rate.Source));
        if (rc.Km is { } km)
        {
            actual["mileage_amount"] = rate is null ? null : national.MileageAmount(km, rc.Date);
            if (rate is not null)
            {
                trace.Add(new TraceStep("MILEAGE_AMOUNT", $"{km} km × {rate.Rate} kr. = {national.MileageAmount(km, rc.Date)} kr. (afrundet til øre)", rate.Source));
            }
        }
    }

    private static bool Same(object? expected, object? actual) => (expected, actual) switch
    {
        (null, null) => true,
        (null, _) or (_, null) => false,
        (decimal a, decimal b) => Math.Abs(a - b) <= Tolerance,
        (ExpectedLapse a, ExpectedLapse b) => a.Date == b.Date && Math.Abs(a.Hours - b.Hours) <= Tolerance,
        (IReadOnlyList<string> a, IReadOnlyList<string> b) => a.SequenceEqual(b),
        _ => Equals(expected, actual),
    };

    internal static string Show(object? value) => value switch
    {
        null => "null",
        decimal d => d.ToString("0.###", CultureInfo.InvariantCulture),
        LocalDate d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ExpectedLapse l => $"{{ date: {l.Date:yyyy-MM-dd}, hours: {Show(l.Hours)} }}",
        IReadOnlyList<string> list => $"[{string.Join(", ", list)}]",
        _ => value.ToString() ?? "",
    };
}
