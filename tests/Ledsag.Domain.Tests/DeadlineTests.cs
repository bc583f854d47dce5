using Ledsag.Domain.Deadlines;
using NodaTime;
using Shouldly;
using Xunit;

namespace Ledsag.Domain.Tests;

public class DeadlineTests
{
    private static LocalDate? Due(string municipality, DeadlineEvent e, LocalDate date, string name) =>
        DeadlineEngine.For(TestStandards.Get(municipality), e, date).Single(r => r.Name == name).Due;

    [Fact]
    public void Partshoering_InBallerup_Has10DaysRolledToAWorkingDay() =>
        // 2026-03-06 + 10 days = Monday 2026-03-16.
        Due("ballerup", DeadlineEvent.DraftReceived, new LocalDate(2026, 3, 6), "consultation_due").ShouldBe(new LocalDate(2026, 3, 16));

    [Fact]
    public void Partshoering_WhereTheStandardSetsNoPeriod_IsNull() =>
        Due("haderslev", DeadlineEvent.DraftReceived, new LocalDate(2026, 3, 6), "consultation_due").ShouldBeNull();

    [Fact]
    public void ComplaintMaintained_InBronderslev_Forwards14DaysLater() =>
        Due("bronderslev", DeadlineEvent.ComplaintMaintained, new LocalDate(2026, 3, 2), "forward_due").ShouldBe(new LocalDate(2026, 3, 16));

    [Fact]
    public void ComplaintReceived_GivesReassessmentAndForwardingIn4Weeks()
    {
        var results = DeadlineEngine.For(TestStandards.Get("lejre"), DeadlineEvent.ComplaintReceived, new LocalDate(2026, 3, 2));
        results.Select(r => (r.Name, r.Due)).ShouldBe([("reassessment_due", new LocalDate(2026, 3, 30)), ("forward_due", new LocalDate(2026, 3, 30))]);
    }

    [Fact]
    public void FirstFollowUp_InBallerup_IsWithin6Months_ThenEveryOtherYear()
    {
        var standard = TestStandards.Get("ballerup");
        Due("ballerup", DeadlineEvent.GrantDecided, new LocalDate(2026, 1, 15), "first_follow_up_due").ShouldBe(new LocalDate(2026, 7, 15));
        DeadlineEngine.NextFollowUp(standard, new LocalDate(2026, 7, 15)).Due.ShouldBe(new LocalDate(2028, 7, 17)); // 15 July 2028 is a Saturday
    }

    [Fact]
    public void ProcessingTime_EndingOnStoreBededag2023_MovesToMonday() =>
        // Lejre: 4 weeks from Friday 2023-04-07 (langfredag) is Friday 2023-05-05, store bededag.
        Due("lejre", DeadlineEvent.ApplicationReceived, new LocalDate(2023, 4, 7), "decision_due").ShouldBe(new LocalDate(2023, 5, 8));

    [Fact]
    public void Trace_NamesTheRollAndItsSource()
    {
        var result = DeadlineEngine.For(TestStandards.Get("lejre"), DeadlineEvent.DecisionReceived, new LocalDate(2026, 11, 27)).Single();
        result.Trace.ShouldContain(t => t.Rule == "ROLL_TO_WORKING_DAY" && t.Detail.Contains("juledag"));
        result.Trace[0].Source.ShouldContain("Retssikkerhedsloven § 67");
    }
}
