using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Ledsag.Domain.Hours;
using NodaTime;
using Shouldly;

namespace Ledsag.Domain.Tests;

/// <summary>A random grant, its agreements, its sessions and a standard's ledger rules.</summary>
public sealed record Scenario(Grant Grant, DrawingOrder Order, bool RequiresAgreement, IReadOnlyList<(LocalDate Date, Minutes Minutes)> Sessions)
{
    public IReadOnlyList<LedgerRules> Rules => [new LedgerRules(new LocalDate(2000, 1, 1), Order, RequiresAgreement, 6)];

    public LocalDate LastDay => (Grant.End ?? Grant.Start.PlusMonths(30)).PlusDays(40);

    public override string ToString() =>
        $"grant {Grant.Start}–{Grant.End?.ToString() ?? "open"} {Grant.HoursPerMonth}h/month, savings [{string.Join(", ", Grant.Savings.Select(s => $"{s.From}–{s.To}"))}], " +
        $"{Order}, agreement required {RequiresAgreement}, sessions [{string.Join(", ", Sessions.Select(s => $"{s.Date} {s.Minutes}"))}]";
}

public static class LedgerArbitraries
{
    private static readonly LocalDate Epoch = new(2025, 1, 1);

    public static Arbitrary<Scenario> Scenarios()
    {
        var agreement =
            from start in Gen.Choose(-60, 900)
            from length in Gen.Choose(0, 400)
            select new SavingsAgreement(Epoch.PlusDays(start), Epoch.PlusDays(start + length));
        var session =
            from day in Gen.Choose(-40, 1000)
            from minutes in Gen.Frequency((1, Gen.Choose(-60, 0)), (8, Gen.Choose(1, 20 * 60)), (1, Gen.Choose(20 * 60, 100 * 60)))
            select (Epoch.PlusDays(day), new Minutes(minutes));
        var gen =
            from start in Gen.Choose(0, 400)
            from length in Gen.Choose(0, 900)
            from open in Gen.Frequency((1, Gen.Constant(true)), (3, Gen.Constant(false)))
            from hours in Gen.Elements(15 * 60, 15 * 60, 10 * 60, 8 * 60, 7 * 60 + 30)
            from agreements in Gen.ListOf(agreement).Resize(3)
            from sessions in Gen.ListOf(session).Resize(60)
            from order in Gen.Elements(DrawingOrder.OldestFirst, DrawingOrder.CurrentFirst)
            from requires in Gen.Elements(true, true, false)
            select new Scenario(
                new Grant(Epoch.PlusDays(start), open ? null : Epoch.PlusDays(start + length), new Minutes(hours), agreements),
                order, requires, sessions.OrderBy(s => s.Item1).ToList());
        return gen.ToArbitrary();
    }
}

[Properties(Arbitrary = [typeof(LedgerArbitraries)], MaxTest = 200)]
public class LedgerProperties
{
    private static (HoursLedger Ledger, List<SessionOutcome> Outcomes) Replay(Scenario s, IReadOnlyList<LedgerRules>? rules = null)
    {
        var ledger = new HoursLedger(s.Grant, rules ?? s.Rules);
        return (ledger, s.Sessions.Select(x => ledger.Use(x.Date, x.Minutes)).ToList());
    }

    private static IEnumerable<LocalDate> Days(Scenario s)
    {
        for (var d = s.Grant.Start.PlusDays(-3); d <= s.LastDay; d = d.PlusDays(1))
        {
            yield return d;
        }
    }

    [Property]
    public void NothingIsCreatedOrLost_AllottedEqualsUsedPlusLapsedPlusAvailable_OnEveryDay(Scenario s)
    {
        var (ledger, _) = Replay(s);
        foreach (var day in Days(s))
        {
            var b = ledger.BalanceAt(day);
            b.AllottedTotal.ShouldBe(b.UsedTotal + b.LapsedTotal + b.Available, $"on {day}");
            b.Available.ShouldBe(b.CurrentMonth + b.Saved, $"on {day}");
        }
    }

    [Property]
    public void NothingIsEverNegative_AndNeverMoreThanSixMonthsOfHoursStand(Scenario s)
    {
        var (ledger, _) = Replay(s);
        var ceiling = new Minutes(s.Grant.HoursPerMonth.Value * 6);
        foreach (var day in Days(s))
        {
            var b = ledger.BalanceAt(day);
            new[] { b.Available, b.CurrentMonth, b.Saved, b.LapsedTotal, b.UsedTotal }.ShouldAllBe(m => m.Value >= 0);
            b.Available.ShouldBeLessThanOrEqualTo(ceiling, $"on {day}");
            b.Available.ShouldBeLessThanOrEqualTo(Minutes.FromHours(90), $"on {day}");
            (b.NextLapse is null || b.NextLapse.Date >= day).ShouldBeTrue();
        }
    }

    [Property]
    public void ARejectedSessionChangesNothing_ReplayingOnlyTheAcceptedOnesGivesTheSameLedger(Scenario s)
    {
        var (full, outcomes) = Replay(s);
        var acceptedOnly = s with { Sessions = s.Sessions.Where((_, i) => outcomes[i].Accepted).ToList() };
        var (again, againOutcomes) = Replay(acceptedOnly);
        againOutcomes.ShouldAllBe(o => o.Accepted);
        foreach (var day in Days(s))
        {
            again.BalanceAt(day).ShouldBe(full.BalanceAt(day), $"on {day}");
        }
    }

    [Property]
    public void NoUseInAdvance_UsedNeverExceedsWhatWasAllottedSoFar(Scenario s)
    {
        var (ledger, outcomes) = Replay(s);
        for (var i = 0; i < s.Sessions.Count; i++)
        {
            var b = ledger.BalanceAt(s.Sessions[i].Date);
            b.UsedTotal.ShouldBeLessThanOrEqualTo(b.AllottedTotal);
            if (outcomes[i].Accepted)
            {
                s.Grant.InForce(s.Sessions[i].Date).ShouldBeTrue();
                s.Sessions[i].Minutes.Value.ShouldBePositive();
            }
        }
    }

    [Property]
    public void TheDrawingOrderNeverChangesWhatIsAvailableOnTheDayOfUse(Scenario s)
    {
        // Same history; from the day of the last session on, one ledger draws oldest first and the
        // other current month first. That day's outcome and end-of-day availability are the same.
        if (s.Sessions.Count == 0)
        {
            return;
        }
        var day = s.Sessions[^1].Date;
        IReadOnlyList<LedgerRules> Switch(DrawingOrder order) =>
            [s.Rules[0], s.Rules[0] with { From = day, Order = order }];
        var (a, outcomesA) = Replay(s, Switch(DrawingOrder.OldestFirst));
        var (b, outcomesB) = Replay(s, Switch(DrawingOrder.CurrentFirst));
        outcomesA.ShouldBe(outcomesB);
        var balanceA = a.BalanceAt(day);
        var balanceB = b.BalanceAt(day);
        balanceA.Available.ShouldBe(balanceB.Available);
        balanceA.UsedTotal.ShouldBe(balanceB.UsedTotal);
        balanceA.LapsedTotal.ShouldBe(balanceB.LapsedTotal);
    }

    [Property]
    public void A_clone_books_like_a_full_replay_and_leaves_the_original_alone(Scenario s)
    {
        // The server keeps replayed ledgers and books new sessions on copies: the split point is arbitrary.
        var half = s.Sessions.Count / 2;
        var original = new HoursLedger(s.Grant, s.Rules);
        foreach (var x in s.Sessions.Take(half))
        {
            original.Use(x.Date, x.Minutes);
        }
        var before = Days(s).Select(original.BalanceAt).ToList();
        var copy = original.Clone();
        var copyOutcomes = s.Sessions.Skip(half).Select(x => copy.Use(x.Date, x.Minutes)).ToList();
        var (full, outcomes) = Replay(s);

        copyOutcomes.ShouldBe(outcomes.Skip(half).ToList());
        foreach (var day in Days(s))
        {
            copy.BalanceAt(day).ShouldBe(full.BalanceAt(day), $"on {day}");
            copy.Forecast(day).ShouldBe(full.Forecast(day), $"on {day}");
        }
        Days(s).Select(original.BalanceAt).ToList().ShouldBe(before);
    }
}
