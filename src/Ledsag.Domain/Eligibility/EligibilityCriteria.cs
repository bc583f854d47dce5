namespace Ledsag.Domain.Eligibility;

/// <summary>
/// The target-group criteria as code: what fact each reason code tests. Whether a criterion blocks,
/// flags or does not apply in a municipality is data (<c>criteria.CODE</c> in the standard files).
/// The age criteria are tested with the age-limit table and are always blocking (§ 97 stk. 1).
/// </summary>
public static class EligibilityCriteria
{
    /// <summary>A criterion: its reason code and the test that makes it apply.</summary>
    public sealed record Criterion(string Code, Func<EligibilityFacts, bool> Applies, string Fact);

    /// <summary>The fact-based criteria, in the order reasons are listed.</summary>
    public static readonly IReadOnlyList<Criterion> All =
    [
        new(ReasonCodes.HasBpa96, f => f.HasBpa96, "has_bpa_96"),
        new(ReasonCodes.NoLastingReducedFunction, f => !f.SignificantLastingReducedFunction, "significant_lasting_reduced_function"),
        new(ReasonCodes.CanMoveAlone, f => !f.CannotMoveAlone, "cannot_move_alone"),
        new(ReasonCodes.CannotExpressWish, f => !f.CanExpressWish, "can_express_wish"),
        new(ReasonCodes.NotAwareOfActivity, f => !f.AwareOfActivity, "aware_of_activity"),
        new(ReasonCodes.NeedsSocialpedagogicalSupport, f => f.NeedsSocialpedagogicalSupport, "needs_socialpedagogical_support"),
        new(ReasonCodes.PrimaryMentalIllnessOrSocial, f => f.PrimaryMentalIllnessOrSocial, "primary_mental_illness_or_social"),
        new(ReasonCodes.HasContactPerson98, f => f.HasContactPerson98, "has_contact_person_98"),
        new(ReasonCodes.CannotParticipateWithoutHelp, f => !f.CanParticipateWithoutHelp, "can_participate_without_help"),
        new(ReasonCodes.NeedsBehaviourRegulation, f => f.NeedsBehaviourRegulation, "needs_behaviour_regulation"),
        new(ReasonCodes.NeedsHealthCare, f => f.NeedsHealthCare, "needs_health_care"),
        // Gribskov's table of functional levels: 0–1 "hjælp til selvhjælp"/"motivation og guidning";
        // 4 "typisk ikke i målgruppen, med mindre du bor i botilbud".
        new(ReasonCodes.FunctionalLevelLow, f => f.FunctionalLevel is 0 or 1, "functional_level"),
        new(ReasonCodes.FunctionalLevelTotal, f => f.FunctionalLevel is 4 && !f.LivesInBotilbud, "functional_level, lives_in_botilbud"),
    ];

    /// <summary>The codes of the fact-based criteria.</summary>
    public static IEnumerable<string> Codes => All.Select(c => c.Code);

    /// <summary>True for a code that is a fact-based criterion (and so a <c>criteria.*</c> parameter).</summary>
    public static bool IsCriterion(string code) => All.Any(c => c.Code == code);
}
