using Ledsag.Domain.Eligibility;
using NodaTime;
using Shouldly;
using Xunit;

namespace Ledsag.Domain.Tests;

public class EligibilityTests
{
    private static Recommendation Recommend(string municipality, LocalDate date, LocalDate birth, EligibilityFacts? facts = null) =>
        EligibilityEngine.Recommend(TestStandards.Get(municipality), date, birth, facts ?? new EligibilityFacts());

    [Fact]
    public void TheDayBeforeThe18thBirthday_IsUnder18_AndTheBirthdayIsNot()
    {
        var birth = new LocalDate(2008, 6, 15);
        Recommend("lejre", new LocalDate(2026, 6, 14), birth).Reasons.ShouldBe([ReasonCodes.AgeUnder18]);
        Recommend("lejre", new LocalDate(2026, 6, 15), birth).Kind.ShouldBe(RecommendationKind.Grant);
    }

    [Fact]
    public void AgeLimit_IsNeverBelow67_EvenWhereFolkepensionsalderenIs65()
    {
        // Born 1953: folkepensionsalder 65, but the § 97 limit is 67.
        var birth = new LocalDate(1953, 3, 1);
        Recommend("haderslev", new LocalDate(2020, 2, 29), birth).Kind.ShouldBe(RecommendationKind.Grant);
        Recommend("haderslev", new LocalDate(2020, 3, 1), birth).Reasons.ShouldBe([ReasonCodes.AgePension]);
    }

    [Fact]
    public void AgeLimit_ForSomeoneBorn1966_Is68()
    {
        var birth = new LocalDate(1966, 9, 1);
        Recommend("ballerup", new LocalDate(2034, 8, 31), birth).Kind.ShouldBe(RecommendationKind.Grant);
        Recommend("ballerup", new LocalDate(2034, 9, 1), birth).Reasons.ShouldBe([ReasonCodes.AgePension]);
    }

    [Fact]
    public void AgeLimit_ForSomeoneBorn1980_Is70()
    {
        var birth = new LocalDate(1980, 1, 10);
        Recommend("ballerup", new LocalDate(2049, 1, 9), birth).Kind.ShouldBe(RecommendationKind.Grant);
        Recommend("ballerup", new LocalDate(2050, 1, 10), birth).Reasons.ShouldBe([ReasonCodes.AgePension]);
    }

    [Theory]
    [InlineData("haderslev", true)]
    [InlineData("bronderslev", true)]
    [InlineData("lejre", false)]
    [InlineData("gribskov", false)]
    [InlineData("ballerup", false)]
    public void CannotParticipateWithoutHelp_BlocksOnlyWhereTheStandardSaysSo(string municipality, bool blocks) =>
        Recommend(municipality, new LocalDate(2026, 3, 1), new LocalDate(1990, 1, 1), new EligibilityFacts { CanParticipateWithoutHelp = false })
            .Kind.ShouldBe(blocks ? RecommendationKind.Deny : RecommendationKind.Grant);

    [Fact]
    public void Haderslev_BlocksOnBehaviourRegulationAndHealthCare_OthersDoNot()
    {
        var facts = new EligibilityFacts { NeedsBehaviourRegulation = true, NeedsHealthCare = true };
        Recommend("haderslev", new LocalDate(2026, 3, 1), new LocalDate(1990, 1, 1), facts).Reasons
            .ShouldBe([ReasonCodes.NeedsBehaviourRegulation, ReasonCodes.NeedsHealthCare], ignoreOrder: true);
        Recommend("lejre", new LocalDate(2026, 3, 1), new LocalDate(1990, 1, 1), facts).Kind.ShouldBe(RecommendationKind.Grant);
    }

    [Fact]
    public void ADeny_ListsTheFlagsToo_AndHasNoHours()
    {
        var r = Recommend("gribskov", new LocalDate(2026, 3, 1), new LocalDate(1990, 1, 1),
            new EligibilityFacts { FunctionalLevel = 1, HasBpa96 = true });
        r.Kind.ShouldBe(RecommendationKind.Deny);
        r.Reasons.ShouldBe([ReasonCodes.HasBpa96, ReasonCodes.FunctionalLevelLow], ignoreOrder: true);
        r.HoursPerMonth.ShouldBeNull();
    }

    [Fact]
    public void Gribskov_Level4InABotilbud_IsNotFlagged() =>
        Recommend("gribskov", new LocalDate(2026, 3, 1), new LocalDate(1990, 1, 1),
            new EligibilityFacts { FunctionalLevel = 4, LivesInBotilbud = true }).Kind.ShouldBe(RecommendationKind.Grant);

    [Fact]
    public void BotilbudHours_ThatCoverTheGrant_AreARefusal()
    {
        var r = Recommend("bronderslev", new LocalDate(2026, 3, 1), new LocalDate(1990, 1, 1),
            new EligibilityFacts { LivesInBotilbud = true, BotilbudCompanionPerMonth = Minutes.FromHours(20) });
        r.Kind.ShouldBe(RecommendationKind.Deny);
        r.Reasons.ShouldBe([ReasonCodes.BotilbudCoversHours]);
        r.HoursPerMonth.ShouldBeNull();
    }

    [Fact]
    public void BotilbudWithoutCompanionHoursInside_Gets15_AlsoInGribskov() =>
        Recommend("gribskov", new LocalDate(2026, 3, 1), new LocalDate(1990, 1, 1),
            new EligibilityFacts { LivesInBotilbud = true }).HoursPerMonth.ShouldBe(Minutes.FromHours(15));

    [Fact]
    public void Trace_CitesTheStandardSentenceBehindABlock()
    {
        var r = Recommend("lejre", new LocalDate(2026, 3, 1), new LocalDate(1985, 1, 20), new EligibilityFacts { HasContactPerson98 = true });
        r.Trace.Single(t => t.Rule == ReasonCodes.HasContactPerson98).Source.ShouldContain("lejre.txt");
    }
}
