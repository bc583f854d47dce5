using Ledsag.Domain.Hours;
using NodaTime;
using Shouldly;
using Xunit;

namespace Ledsag.Domain.Tests;

public class LedgerTests
{
    private static readonly Minutes Fifteen = Minutes.FromHours(15);

    private static HoursLedger Ledger(string municipality, Grant grant) =>
        new(grant, LedgerRules.Timeline(TestStandards.Get(municipality)));

    private static LocalDate D(int y, int m, int d) => new(y, m, d);

    [Fact]
    public void Use_WhenBalanceIsExhausted_IsRejectedWithExceedsBalance_AndChangesNothing()
    {
        var ledger = Ledger("haderslev", new Grant(D(2026, 1, 1), null, Fifteen));
        ledger.Use(D(2026, 1, 5), Minutes.FromHours(10)).Accepted.ShouldBeTrue();
        var before = ledger.BalanceAt(D(2026, 1, 31));

        ledger.Use(D(2026, 1, 6), Minutes.FromHours(6)).ShouldBe(SessionOutcome.Rejected(ReasonCodes.ExceedsBalance));

        ledger.BalanceAt(D(2026, 1, 31)).ShouldBe(before);
    }

    [Fact]
    public void Use_OfNegativeHours_IsRejectedAsInvalidDuration() =>
        Ledger("lejre", new Grant(D(2026, 1, 1), null, Fifteen)).Use(D(2026, 1, 2), new Minutes(-30))
            .Reason.ShouldBe(ReasonCodes.InvalidDuration);

    [Fact]
    public void Use_OutOfDateOrder_IsAProgrammingError()
    {
        var ledger = Ledger("lejre", new Grant(D(2026, 1, 1), null, Fifteen));
        ledger.Use(D(2026, 1, 10), new Minutes(60));
        Should.Throw<InvalidOperationException>(() => ledger.Use(D(2026, 1, 9), new Minutes(60)));
    }

    [Fact]
    public void GrantStartingMidMonth_GetsTheWholeMonthsHours()
    {
        var ledger = Ledger("haderslev", new Grant(D(2026, 3, 20), D(2026, 4, 3), Fifteen));
        ledger.BalanceAt(D(2026, 3, 20)).Available.ShouldBe(Fifteen);
        ledger.BalanceAt(D(2026, 4, 3)).Available.ShouldBe(Fifteen);
        ledger.BalanceAt(D(2026, 4, 4)).LapsedTotal.ShouldBe(Fifteen + Fifteen);
    }

    [Fact]
    public void SavedHours_LapseWithTheGrantsEnd_NotAfterSixMonths()
    {
        var ledger = Ledger("ballerup", new Grant(D(2026, 1, 1), D(2026, 3, 15), Fifteen, [new SavingsAgreement(D(2026, 1, 1), D(2026, 12, 31))]));
        var b = ledger.BalanceAt(D(2026, 3, 1));
        b.Available.ShouldBe(Minutes.FromHours(45));
        b.NextLapse.ShouldBe(new Lapse(D(2026, 3, 15), Minutes.FromHours(45)));
    }

    [Fact]
    public void OnlyMonthsEndingInsideAnAgreement_AreSaved()
    {
        // The agreement covers 31 January and 28 February only: January's and February's hours are
        // saved to 30 June and 31 July; March's lapse with March.
        var ledger = Ledger("haderslev", new Grant(D(2026, 1, 1), null, Fifteen, [new SavingsAgreement(D(2026, 1, 20), D(2026, 2, 28))]));
        ledger.Forecast(D(2026, 3, 1)).ShouldBe([
            new Lapse(D(2026, 3, 31), Fifteen), new Lapse(D(2026, 6, 30), Fifteen), new Lapse(D(2026, 7, 31), Fifteen)]);
    }

    [Fact]
    public void OldestFirst_DrawsTheAllotmentClosestToLapsing_EvenWhenItIsNewer()
    {
        // January saved (to 30 June); April not saved (lapses 30 April): a session in April takes April's first.
        var ledger = Ledger("haderslev", new Grant(D(2026, 1, 1), null, Fifteen, [new SavingsAgreement(D(2026, 1, 1), D(2026, 1, 31))]));
        ledger.Use(D(2026, 4, 10), Minutes.FromHours(15)).Accepted.ShouldBeTrue();
        ledger.BalanceAt(D(2026, 4, 30)).ShouldSatisfyAllConditions(
            b => b.CurrentMonth.ShouldBe(Minutes.Zero),
            b => b.Saved.ShouldBe(Fifteen),
            b => b.NextLapse.ShouldBe(new Lapse(D(2026, 6, 30), Fifteen)));
    }

    [Fact]
    public void Gribskov_WithoutAnAgreement_CannotUseLastMonthsHours() =>
        Ledger("gribskov", new Grant(D(2026, 1, 1), null, Fifteen)).Use(D(2026, 2, 10), Minutes.FromHours(30))
            .Reason.ShouldBe(ReasonCodes.ExceedsBalance);

    [Fact]
    public void BackDatedAgreement_DoesNotReviveLapsedHours()
    {
        var ledger = Ledger("haderslev", new Grant(D(2026, 1, 1), null, Fifteen,
            [new SavingsAgreement(D(2026, 1, 1), D(2026, 12, 31), AgreedOn: D(2026, 3, 10))]));
        ledger.Use(D(2026, 3, 12), Minutes.FromHours(16)).Reason.ShouldBe(ReasonCodes.ExceedsBalance);
        ledger.BalanceAt(D(2026, 3, 12)).LapsedTotal.ShouldBe(Minutes.FromHours(30));
    }

    [Fact]
    public void Haderslev_WithoutAnAgreement_CannotUseLastMonthsHours() =>
        Ledger("haderslev", new Grant(D(2026, 1, 1), null, Fifteen)).Use(D(2026, 2, 10), Minutes.FromHours(30))
            .Reason.ShouldBe(ReasonCodes.ExceedsBalance);

    [Fact]
    public void Forecast_ListsWhatLapsesWhen_GroupedByDay()
    {
        var ledger = Ledger("lejre", new Grant(D(2026, 1, 1), null, Fifteen, [new SavingsAgreement(D(2026, 1, 1), D(2026, 12, 31))]));
        ledger.Use(D(2026, 3, 3), Minutes.FromHours(20)).Accepted.ShouldBeTrue(); // current first: March 15, then January 5
        ledger.Forecast(D(2026, 3, 31)).ShouldBe([new Lapse(D(2026, 6, 30), Minutes.FromHours(10)), new Lapse(D(2026, 7, 31), Fifteen)]);
    }

    [Fact]
    public void Balance_BeforeTheGrantStarts_IsEmpty() =>
        Ledger("lejre", new Grant(D(2026, 5, 1), null, Fifteen)).BalanceAt(D(2026, 4, 30))
            .ShouldBe(new Balance(D(2026, 4, 30), Minutes.Zero, Minutes.Zero, Minutes.Zero, Minutes.Zero, Minutes.Zero, Minutes.Zero, null));

    [Fact]
    public void BalanceOnAnEarlierDay_IgnoresLaterSessions()
    {
        var ledger = Ledger("lejre", new Grant(D(2026, 1, 1), null, Fifteen));
        ledger.Use(D(2026, 1, 20), Minutes.FromHours(4));
        ledger.BalanceAt(D(2026, 1, 19)).Available.ShouldBe(Fifteen);
        ledger.BalanceAt(D(2026, 1, 20)).Available.ShouldBe(Minutes.FromHours(11));
    }

    [Fact]
    public void ARevisedStandard_ChangesTheDrawingOrderFromItsDate()
    {
        var timeline = new[]
        {
            new LedgerRules(D(2020, 1, 1), DrawingOrder.OldestFirst, true, 6),
            new LedgerRules(D(2026, 3, 1), DrawingOrder.CurrentFirst, true, 6),
        };
        var grant = new Grant(D(2026, 1, 1), null, Fifteen, [new SavingsAgreement(D(2026, 1, 1), D(2026, 12, 31))]);
        var ledger = new HoursLedger(grant, timeline);
        ledger.Use(D(2026, 2, 2), Minutes.FromHours(5));   // oldest first: January
        ledger.Use(D(2026, 3, 2), Minutes.FromHours(5));   // current first: March
        ledger.Forecast(D(2026, 3, 2)).ShouldBe([
            new Lapse(D(2026, 6, 30), Minutes.FromHours(10)), new Lapse(D(2026, 7, 31), Fifteen), new Lapse(D(2026, 8, 31), Minutes.FromHours(10))]);
    }
}
