using Ledsag.Domain.Cases;
using Ledsag.Domain.Eligibility;
using NodaTime;
using Shouldly;
using Xunit;

namespace Ledsag.Domain.Tests;

/// <summary>The decision check and the case lifecycle, without a database.</summary>
public class DecisionCheckTests
{
    private static readonly LocalDate Today = new(2026, 6, 15);
    private static readonly LocalDate Received = new(2026, 4, 1);
    private static readonly Minutes Fifteen = Minutes.FromHours(15);
    private const string FullLetter = DecisionCheck.SavingsGuidanceHeading + " … " + DecisionCheck.SubsidyGuidanceHeading + " …";

    private static CaseSnapshot Case(RecommendationKind kind = RecommendationKind.Grant, Minutes? lawful = null, Consultation? consultation = null,
        LocalDate? decisionDue = null, CaseState state = CaseState.InAssessment, params CompanionRelation[] companions) =>
        new(Received, state, new Recommendation(kind, kind == RecommendationKind.Deny ? [ReasonCodes.HasBpa96] : [], kind == RecommendationKind.Deny ? null : lawful ?? Fifteen, []),
            lawful ?? Fifteen, new LocalDate(2026, 5, 1), consultation, decisionDue, companions);

    private static DraftDecision Grant(Minutes? hours = null, string? justification = null, LocalDate? on = null) =>
        new("grant", on ?? new LocalDate(2026, 6, 1), hours ?? Fifteen, [], justification, false, FullLetter);

    private static DraftDecision Refusal(string[] reasons, string? justification = "Begrundelse.", LocalDate? on = null, bool fromCitizen = false) =>
        new("refusal", on ?? new LocalDate(2026, 6, 1), null, reasons, justification, fromCitizen, null);

    private static IReadOnlyList<string> Codes(string municipality, CaseSnapshot c, DraftDecision d) =>
        DecisionCheck.Run(TestStandards.Get(municipality), c, d, Today).Select(x => x.Code).ToList();

    [Fact]
    public void AGrantOf15Hours_AsRecommended_HasNoDefect() =>
        Codes("haderslev", Case(), Grant()).ShouldBeEmpty();

    [Theory]
    [InlineData(20)]
    [InlineData(10)]
    public void AnyOtherHoursFigure_IsBlocked_NamingSection97(int hours)
    {
        var defect = DecisionCheck.Run(TestStandards.Get("lejre"), Case(), Grant(Minutes.FromHours(hours), "Fordi."), Today).Single(d => d.Code == "HOURS_NOT_LAWFUL");
        defect.Severity.ShouldBe(DefectSeverity.Blocking);
        defect.Source.ShouldContain("SEL § 97 stk. 1");
    }

    [Fact]
    public void AReducedGrantUnderTheBotilbudRule_IsAPartialRefusal_NeedingJustificationAndPartshoering()
    {
        var c = Case(lawful: Minutes.FromHours(9));
        Codes("haderslev", c, Grant(Minutes.FromHours(9))).ShouldBe(["JUSTIFICATION_MISSING", "CONSULTATION_MISSING"], ignoreOrder: true);
        var answered = c with { Consultation = new Consultation(new LocalDate(2026, 5, 5), "grant", new LocalDate(2026, 5, 19), null) };
        Codes("haderslev", answered, Grant(Minutes.FromHours(9), "Botilbuddet giver 6 timer.")).ShouldBeEmpty();
    }

    [Fact]
    public void ARefusal_NeedsADraftThatProposedIt_AndAReasonTheAssessmentBearsOut()
    {
        var grantDraft = Case(RecommendationKind.Deny, consultation: new Consultation(new LocalDate(2026, 5, 1), "grant", new LocalDate(2026, 5, 15), new LocalDate(2026, 5, 2)));
        Codes("haderslev", grantDraft, Refusal([ReasonCodes.HasBpa96])).ShouldBe(["CONSULTATION_MISSING"]);
        var refusalDraft = grantDraft with { Consultation = grantDraft.Consultation! with { Outcome = "refusal" } };
        Codes("haderslev", refusalDraft, Refusal([ReasonCodes.HasBpa96])).ShouldBeEmpty();
        // Nine hours are left after the botilbud's six: «the botilbud covers the hours» is not true of this case.
        Codes("haderslev", refusalDraft with { LawfulHours = Minutes.FromHours(9) }, Refusal([ReasonCodes.BotilbudCoversHours])).ShouldBe(["REASON_AGAINST_ASSESSMENT"]);
    }

    [Fact]
    public void AGrantWhenTheBotilbudCoversAllHours_IsBlocked() =>
        Codes("ballerup", Case(lawful: Minutes.Zero), Grant(Minutes.FromHours(15), "x")).ShouldContain("NOTHING_TO_GRANT");

    [Fact]
    public void DecisionDates_MustFollowTheApplication_AndNotBeInTheFuture()
    {
        Codes("lejre", Case(), Grant(on: Received.PlusDays(-1))).ShouldContain("DECIDED_BEFORE_RECEIVED");
        Codes("lejre", Case(), Grant(on: Today.PlusDays(1))).ShouldContain("DECIDED_IN_FUTURE");
    }

    [Fact]
    public void ARefusal_NeedsPartshoering_UnlessItRestsOnlyOnTheCitizensOwnInformation()
    {
        Codes("haderslev", Case(RecommendationKind.Deny), Refusal([ReasonCodes.HasBpa96])).ShouldBe(["CONSULTATION_MISSING"]);
        Codes("haderslev", Case(RecommendationKind.Deny), Refusal([ReasonCodes.HasBpa96], fromCitizen: true)).ShouldBeEmpty();
    }

    [Fact]
    public void Ballerup_AlwaysSendsADraft_EvenForAGrant() =>
        Codes("ballerup", Case(), Grant()).ShouldBe(["CONSULTATION_MISSING"]);

    [Fact]
    public void TheDecisionWaits_UntilTheAnswerPeriodEndsOrTheAnswerIsRecorded()
    {
        var running = Case(RecommendationKind.Deny, consultation: new Consultation(new LocalDate(2026, 5, 20), "refusal", new LocalDate(2026, 6, 3), null));
        Codes("haderslev", running, Refusal([ReasonCodes.HasBpa96], on: new LocalDate(2026, 6, 3))).ShouldBe(["CONSULTATION_RUNNING"]);
        Codes("haderslev", running, Refusal([ReasonCodes.HasBpa96], on: new LocalDate(2026, 6, 4))).ShouldBeEmpty();
        var answered = running with { Consultation = running.Consultation! with { AnsweredOn = new LocalDate(2026, 5, 25) } };
        Codes("haderslev", answered, Refusal([ReasonCodes.HasBpa96], on: new LocalDate(2026, 5, 26))).ShouldBeEmpty();
    }

    [Fact]
    public void AReasonOutsideTheMunicipalitysStandard_IsBlocked()
    {
        // NEEDS_HEALTH_CARE is Haderslev's criterion, not Ballerup's.
        var answered = Case(RecommendationKind.Deny, consultation: new Consultation(new LocalDate(2026, 5, 1), "refusal", new LocalDate(2026, 5, 11), new LocalDate(2026, 5, 4)));
        answered = answered with { Recommendation = answered.Recommendation! with { Reasons = [ReasonCodes.NeedsHealthCare] } };
        Codes("ballerup", answered, Refusal([ReasonCodes.NeedsHealthCare])).ShouldBe(["REASON_NOT_IN_STANDARD"]);
        Codes("haderslev", answered, Refusal([ReasonCodes.NeedsHealthCare])).ShouldBeEmpty();
    }

    [Fact]
    public void ARefusal_WithoutJustificationOrReasons_ListsBothDefects() =>
        Codes("haderslev", Case(RecommendationKind.Deny), Refusal([], justification: null, fromCitizen: true)).ShouldBe(["JUSTIFICATION_MISSING", "REASONS_MISSING"], ignoreOrder: true);

    [Fact]
    public void AGrantAgainstADenyRecommendation_NeedsJustification_AndIsImpossibleWhereTheLawExcludesIt()
    {
        var deny = Case(RecommendationKind.Deny);
        var standardsCriterion = deny with { Recommendation = deny.Recommendation! with { Reasons = [ReasonCodes.NeedsHealthCare] } };
        Codes("haderslev", standardsCriterion, Grant()).ShouldBe(["JUSTIFICATION_MISSING"]);
        Codes("haderslev", standardsCriterion, Grant(justification: "Sundhedsopgaverne løses af hjemmesygeplejen.")).ShouldBeEmpty();
        Codes("haderslev", deny, Grant(justification: "Alligevel.")).ShouldBe(["GRANT_AGAINST_LAW"]); // BPA: SEL § 97 stk. 8
    }

    [Fact]
    public void ARefusal_OnAReasonTheAssessmentDidNotFind_IsBlocked() =>
        Codes("haderslev", Case(RecommendationKind.Deny), Refusal([ReasonCodes.CanMoveAlone], fromCitizen: true)).ShouldBe(["REASON_AGAINST_ASSESSMENT"]);

    [Fact]
    public void ADecisionAfterTheDeadline_WithoutADelayLetter_IsAWarning()
    {
        var defect = DecisionCheck.Run(TestStandards.Get("haderslev"), Case(decisionDue: new LocalDate(2026, 5, 27)), Grant(), Today).Single();
        defect.Code.ShouldBe("DEADLINE_PASSED_NO_DELAY_LETTER");
        defect.Severity.ShouldBe(DefectSeverity.Warning);
        defect.Source.ShouldBe("Retssikkerhedsloven § 3 stk. 2");
    }

    [Fact]
    public void AGrantLetterWithoutGuidanceOnSavingAndTheSubsidy_IsBlocked() =>
        Codes("haderslev", Case(), Grant() with { LetterBody = "Du er bevilget 15 timer." }).ShouldBe(["SAVINGS_GUIDANCE_MISSING", "SUBSIDY_GUIDANCE_MISSING"], ignoreOrder: true);

    [Fact]
    public void ACompanionWithAnUndeclaredRelation_IsAWarning() =>
        DecisionCheck.Run(TestStandards.Get("lejre"), Case(companions: new CompanionRelation("Ole", false)), Grant(), Today)
            .ShouldHaveSingleItem().Severity.ShouldBe(DefectSeverity.Warning);

    [Fact]
    public void TheLifecycle_RefusesADecisionOnADecidedCase_AndAComplaintBeforeADecision()
    {
        CaseLifecycle.Guard(CaseState.Granted, CaseEvent.Decision)!.Rule.ShouldBe("WRONG_STATE");
        CaseLifecycle.Guard(CaseState.InAssessment, CaseEvent.Complaint).ShouldNotBeNull();
        CaseLifecycle.Guard(CaseState.ComplaintPartlyUpheld, CaseEvent.Decision).ShouldBeNull();
        CaseLifecycle.Guard(CaseState.ComplaintForwarded, CaseEvent.Decision).ShouldBeNull();
        CaseLifecycle.AfterReassessment("full").ShouldBe(CaseState.InAssessment);
        CaseLifecycle.AfterReassessment("partial").ShouldBe(CaseState.ComplaintPartlyUpheld);
        CaseLifecycle.AfterDecision(CaseState.ComplaintPartlyUpheld, granted: true).ShouldBe(CaseState.ComplaintPartlyUpheld);
    }

    [Fact]
    public void EveryEvent_IsAllowedInSomeState_AndEveryStateAllowsSomething()
    {
        foreach (var e in Enum.GetValues<CaseEvent>())
        {
            CaseLifecycle.AllowedIn[e].ShouldNotBeEmpty();
        }
        foreach (var s in Enum.GetValues<CaseState>())
        {
            Enum.GetValues<CaseEvent>().Any(e => CaseLifecycle.Guard(s, e) is null).ShouldBeTrue(s.ToString());
        }
    }
}
